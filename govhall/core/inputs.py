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
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


class TooDeep(json.JSONDecodeError):
    """A JSONDecodeError, so code that reports parse errors reports this one too."""

    def __init__(self, doc: str, limit: int = MAX_JSON_DEPTH):
        super().__init__(f"嵌套超过{limit}层", doc, 0)


def loads(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for text from outside: refuses nesting deeper than ``max_depth``."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    if json_depth_exceeds(text, max_depth):
        raise TooDeep(text, max_depth)
    return json.loads(text)


def first_bad_string(value: Any, path: str = "") -> str | None:
    """The path (``answers.name``, ``records[3].details``) of the first key or string in a
    parsed JSON value that ``bad_text`` refuses, or None. Iterative: depth is bounded
    already, but a wide document should not cost a frame per element."""
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
                    return where or "non_field_errors"
                children.append((name, child))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{where}[{i}]", child) for i, child in enumerate(node)]))
    return None
