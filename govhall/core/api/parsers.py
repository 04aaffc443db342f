"""The API's one JSON parser: bounded nesting, and no character PostgreSQL refuses.

DRF's own parser recurses once per level (``[`` × 100,000 was a 500) and passes on NUL
and lone surrogates, which reach the database as a 500 on PostgreSQL. Every view parses
JSON with this class (``DEFAULT_PARSER_CLASSES``; views that list their parsers name it),
so these rules hold for every JSON body without a check in any view.
"""

from __future__ import annotations

import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from .. import inputs
from ..errors import NON_FIELD, refuse


class JSONParser(parsers.JSONParser):
    max_depth = inputs.MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if inputs.json_depth_exceeds(text, self.max_depth):
            raise refuse(NON_FIELD, inputs.TOO_DEEP, f"请求体的JSON嵌套超过{self.max_depth}层。")
        try:
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
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
