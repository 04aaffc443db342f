"""The API's one JSON parser: bounded size and nesting, and no character PostgreSQL refuses.

DRF's own parser recurses once per level (``[`` × 100,000 was a 500), passes on NUL and
lone surrogates (a 500 on PostgreSQL), and reads every body through Django's
``request.body``, whose one global limit (``DATA_UPLOAD_MAX_MEMORY_SIZE``, 2.5 MB) is too
small for an exchange batch. This parser reads the stream itself, up to ``max_bytes``
(the global limit unless a view's parser says more), and every view parses JSON with it
(``DEFAULT_PARSER_CLASSES``; views that list their parsers name it or a subclass).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from .. import inputs
from ..errors import NON_FIELD, refuse


class JSONParser(parsers.BaseParser):
    media_type = "application/json"
    renderer_class = renderers.JSONRenderer
    max_depth = inputs.MAX_JSON_DEPTH
    max_bytes: int | None = None  # None: settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def parse(self, stream, media_type=None, parser_context=None):
        limit = self.max_bytes or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit else stream.read()
        if limit and len(raw) > limit:
            raise RequestDataTooBig(f"JSON body over {limit} bytes")
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if inputs.json_depth_exceeds(text, self.max_depth):
            raise refuse(NON_FIELD, inputs.TOO_DEEP, f"请求体的JSON嵌套超过{self.max_depth}层。")
        try:
            data = json.loads(text)  # DRF's: NaN and Infinity refused
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        field = inputs.first_bad_string(data)
        if field is not None:
            message = inputs.text_message(field or "请求体")
            raise refuse(field or NON_FIELD, inputs.CONTROL_CHARACTER, message)
        return data


# Form bodies are checked by InputGuardMiddleware before any view reads them.
FormParser = parsers.FormParser
MultiPartParser = parsers.MultiPartParser
