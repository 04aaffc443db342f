"""A tiny HTML reader for tests: the links and text inside one element of a page."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Scoped(HTMLParser):
    def __init__(self, match):
        super().__init__(convert_charrefs=True)
        self.match = match
        self.depth = 0  # >0 while inside the matched element
        self.links: list[tuple[str, str, dict]] = []
        self.text: list[str] = []
        self._link: list | None = None
        self.found = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0 and not self.found and self.match(tag, attrs):
            self.found = True
            self.depth = 1
            return
        if self.depth and tag not in VOID:
            self.depth += 1
        if self.depth and tag == "a":
            self._link = [attrs.get("href"), "", attrs]

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "a" and self._link is not None:
            href, text, attrs = self._link
            self.links.append((href, text.strip(), attrs))
            self._link = None
        self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self._link is not None:
                self._link[1] += data


def scoped(html: str, **attrs) -> _Scoped:
    """The first element having ``attrs`` (``aria_labelledby=`` means ``aria-labelledby``)."""
    wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
    tag = wanted.pop("tag", None)

    def match(t, a):
        return (tag is None or t == tag) and all(a.get(k) == v for k, v in wanted.items())

    parser = _Scoped(match)
    parser.feed(html)
    assert parser.found, f"no element with {attrs}"
    return parser


def links(html: str, **attrs) -> list[tuple[str, str]]:
    return [(href, text) for href, text, _ in scoped(html, **attrs).links]


def text(html: str, **attrs) -> str:
    return " ".join(" ".join(scoped(html, **attrs).text).split())
