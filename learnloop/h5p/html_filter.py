"""HTML of rich-text fields reduced to the tags their semantics allow.

Behaviour of H5P core's ``H5PContentValidator::filter_xss`` (itself Drupal's
``filter_xss``): tags not on the list are removed (their text stays, except inside
``script``/``style``, which go entirely), event handler attributes are removed, URLs with
a protocol not on the safe list are removed, and ``style`` keeps only declarations
matching the allowed patterns. Filtering is idempotent: filtered HTML filtered again is
unchanged, so imported, exported and re-imported content compares equal.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Drupal's filter_xss_bad_protocol list, as H5P core uses it.
SAFE_PROTOCOLS = frozenset(
    {
        "ftp",
        "http",
        "https",
        "irc",
        "mailto",
        "news",
        "nntp",
        "rtsp",
        "sftp",
        "ssh",
        "tel",
        "telnet",
        "webcal",
    }
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "cite", "background", "poster", "xlink:href"})
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
VOID_TAGS = frozenset({"br", "hr", "img", "col", "wbr"})
SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x20\x7f]+")

# Text alignment is allowed in every rich-text field (h5p.classes.php, validateText).
TEXT_ALIGN = re.compile(r"^text-align: *(center|left|right);?$", re.IGNORECASE)
FONT_SIZE = re.compile(r"^font-size: *[0-9.]+(em|px|%) *;?$", re.IGNORECASE)
FONT_FAMILY = re.compile(r"^font-family: *[-a-z0-9,'\" ]+;?$", re.IGNORECASE)
COLOR = re.compile(r"^color: *(#[a-f0-9]{3}[a-f0-9]{3}?|rgba?\([0-9, .]+\)) *;?$", re.IGNORECASE)
BACKGROUND = re.compile(
    r"^background-color: *(#[a-f0-9]{3}[a-f0-9]{3}?|rgba?\([0-9, .]+\)) *;?$", re.IGNORECASE
)


def allowed_tags(tags: list[str]) -> frozenset[str]:
    """The tags of a semantics ``tags`` list plus the ones H5P core adds to it."""
    result = {"div", "span", "p", "br", *(tag.lower() for tag in tags)}
    if "table" in result:
        result |= {"tr", "td", "th", "colgroup", "thead", "tbody", "tfoot"}
    if "b" in result:
        result.add("strong")
    if "i" in result:
        result.add("em")
    if "ul" in result or "ol" in result:
        result.add("li")
    if "del" in result or "strike" in result:
        result.add("s")
    return frozenset(result)


def style_patterns(font: dict[str, object] | None) -> tuple[re.Pattern[str], ...]:
    patterns = [TEXT_ALIGN]
    if font:
        if font.get("size"):
            patterns.append(FONT_SIZE)
        if font.get("family"):
            patterns.append(FONT_FAMILY)
        if font.get("color"):
            patterns.append(COLOR)
        if font.get("background"):
            patterns.append(BACKGROUND)
    return tuple(patterns)


def safe_url(value: str) -> bool:
    match = SCHEME.match(CONTROL_CHARACTERS.sub("", value))
    return match is None or match.group(1).lower() in SAFE_PROTOCOLS


class _Filter(HTMLParser):
    def __init__(self, tags: frozenset[str], styles: tuple[re.Pattern[str], ...]) -> None:
        super().__init__(convert_charrefs=False)
        self.tags = tags
        self.styles = styles
        self.out: list[str] = []
        self.skipping: list[str] = []

    def _attributes(self, attrs: list[tuple[str, str | None]]) -> str:
        parts = []
        for raw_name, raw_value in attrs:
            name = raw_name.lower()
            value = raw_value or ""
            if name.startswith("on") or not re.fullmatch(r"[a-z][a-z0-9_:\-]*", name):
                continue
            if name == "style":
                kept = [
                    declaration.strip()
                    for declaration in value.split(";")
                    if declaration.strip()
                    and any(pattern.match(declaration.strip()) for pattern in self.styles)
                ]
                if not kept:
                    continue
                value = "; ".join(kept) + ";"
            elif (name in URL_ATTRIBUTES or name.endswith("src")) and not safe_url(value):
                continue
            parts.append(f' {name}="{html.escape(value, quote=True)}"')
        return "".join(parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self.skipping.append(tag)
            return
        if self.skipping or tag not in self.tags:
            return
        self.out.append(f"<{tag}{self._attributes(attrs)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping or tag in DROP_WITH_CONTENT or tag not in self.tags:
            return
        self.out.append(f"<{tag}{self._attributes(attrs)}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            if self.skipping and self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if self.skipping or tag not in self.tags or tag in VOID_TAGS:
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))

    def handle_entityref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&#{name};")


def filter_html(text: str, tags: frozenset[str], styles: tuple[re.Pattern[str], ...]) -> str:
    parser = _Filter(tags, styles)
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def escape_plain_text(text: str) -> str:
    """PHP's ``htmlspecialchars($text, ENT_QUOTES, 'UTF-8', FALSE)``: existing entities stay."""
    out = []
    for match in re.finditer(
        r"&(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#[xX][0-9a-fA-F]+);|[&<>\"']|[^&<>\"']+", text
    ):
        piece = match.group(0)
        if piece.startswith("&") and len(piece) > 1:
            out.append(piece)
        else:
            out.append(html.escape(piece, quote=True).replace("&#x27;", "&#039;"))
    return "".join(out)
