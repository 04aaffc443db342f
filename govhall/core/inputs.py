"""What text from outside may contain, checked once where it comes in.

PostgreSQL refuses NUL in text and JSON (SQLite stores it), and no form, code or name of
this platform has a use for the other C0 control characters or for unpaired UTF-16
surrogates (which cannot even be encoded to UTF-8). ``InputGuardMiddleware`` applies
these rules to every path, query string and form body; the API's JSON parser applies
them, and a bound on nesting, to every JSON body. Tab, line feed and carriage return stay
allowed in free text; a path or a parameter name allows no control character at all.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Deeper JSON is refused before it is parsed: Python's parser (and everything that walks
# the result afterwards) recurses once per level. Real documents here nest under ten.
MAX_JSON_DEPTH = 64

# C0 controls other than \t \n \r, and lone surrogates (from "\ud800" escapes in JSON).
_BAD_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Names, codes and paths: no control character at all (DEL included).
_BAD_IN_NAME = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# Brackets outside strings; a string is skipped whole (escapes included) by one match.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')

CONTROL_CHARACTER = "control_character"
TOO_DEEP = "too_deep"


def bad_text(value: str) -> bool:
    """Free text (answers, opinions, search words) with a character no one can mean."""
    return _BAD_IN_TEXT.search(value) is not None


def bad_name(value: str) -> bool:
    """A path, a code or a parameter name with any control character."""
    return _BAD_IN_NAME.search(value) is not None


def text_message(field: str) -> str:
    return f"“{field}”含有不允许的控制字符（如NUL），请删除后重试。"


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests arrays and objects deeper than ``limit``; counted without
    parsing, so ``[`` × 100,000 costs one pass and no recursion."""
    return _too_deep_at(text, limit) is not None


def _too_deep_at(text: str, limit: int) -> int | None:
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


# Where an escape like "\u0000" or "\ud800" sits, to point at it in an error message.
_BAD_ESCAPE = re.compile(r"\\u(?:00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|[dD][89a-fA-F][0-9a-fA-F]{2})")


class BadJson(json.JSONDecodeError):
    """Too deep, or a control character: a JSONDecodeError, so code that reports parse
    errors (with line and column) reports these too."""


def loads(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for JSON from outside (an uploaded document, a pasted text): refuses
    nesting deeper than ``max_depth`` unread, and control characters in any string."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    deep_at = _too_deep_at(text, max_depth)
    if deep_at is not None:
        raise BadJson(f"嵌套超过{max_depth}层", text, deep_at)
    value = json.loads(text)
    where = first_bad_string(value)
    if where is not None:
        escape = _BAD_ESCAPE.search(text)
        message = f"“{where or '文档'}”含有不允许的控制字符"
        raise BadJson(message, text, escape.start() if escape else 0)
    return value


def first_bad_string(value: Any, path: str = "") -> str | None:
    """The path (``answers.name``, ``records[3].details``; ``""`` for the document itself) of
    the first string that ``bad_text`` refuses, or of the object holding a key that
    ``bad_name`` refuses; None when there is none. Iterative: depth is bounded already,
    but a wide document should not cost a frame per element."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            if bad_text(node):
                return where
        elif isinstance(node, dict):
            children = []
            for key, child in node.items():
                name = f"{where}.{key}" if where else str(key)
                if bad_name(str(key)):
                    return where  # the object holding the key ("" for the document)
                children.append((name, child))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{where}[{i}]", child) for i, child in enumerate(node)]))
    return None
