"""SVG files cleaned before they are stored as content (Lumi's ``SvgSanitizer`` runs
DOMPurify's SVG profile over uploaded SVGs; this is the same idea with an allow-list).

An SVG served from our origin runs its scripts with our cookies, so only drawing
elements and presentation attributes survive: no ``script``, ``foreignObject``,
event handlers, ``javascript:`` URLs, or references to anything outside the file
(``href`` only to ``#fragments`` or inline raster images, ``url()`` only to ``#ids``).
Entities are refused outright (billion laughs, external entities).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NS: Final = "http://www.w3.org/2000/svg"
XLINK_NS: Final = "http://www.w3.org/1999/xlink"
XML_NS: Final = "http://www.w3.org/XML/1998/namespace"

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

ALLOWED_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "filter",
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feConvolveMatrix",
        "feDiffuseLighting",
        "feDisplacementMap",
        "feDistantLight",
        "feDropShadow",
        "feFlood",
        "feFuncA",
        "feFuncB",
        "feFuncG",
        "feFuncR",
        "feGaussianBlur",
        "feImage",
        "feMerge",
        "feMergeNode",
        "feMorphology",
        "feOffset",
        "fePointLight",
        "feSpecularLighting",
        "feSpotLight",
        "feTile",
        "feTurbulence",
        "image",
        "switch",
        "view",
        "style",
    ]
)
SAFE_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
URL_REFERENCE = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
DANGEROUS_TEXT = re.compile(r"javascript:|vbscript:|expression\s*\(|@import|-moz-binding", re.I)


class UnsafeSvg(ValueError):
    pass


def _local(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def _clean_css(text: str) -> str | None:
    """CSS is kept only if every ``url()`` points inside the file and nothing can run."""
    if DANGEROUS_TEXT.search(text):
        return None
    for match in URL_REFERENCE.finditer(text):
        if not match.group(2).strip().startswith("#"):
            return None
    return text


def _clean_attributes(element: ET.Element) -> None:
    for name in list(element.attrib):
        namespace, local = _local(name)
        value = element.attrib[name]
        keep = True
        if namespace not in (None, XLINK_NS, XML_NS) or local.lower().startswith("on"):
            keep = False
        elif local == "href":
            target = value.strip()
            keep = target.startswith("#") or bool(SAFE_IMAGE_DATA.match(target))
        elif namespace == XLINK_NS:
            keep = False
        elif local == "style" or "url(" in value.lower() or DANGEROUS_TEXT.search(value):
            keep = _clean_css(value) is not None
        if not keep:
            del element.attrib[name]


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):
            element.remove(child)  # comments and processing instructions
            continue
        namespace, local = _local(child.tag)
        if namespace != SVG_NS or local not in ALLOWED_ELEMENTS:
            element.remove(child)
            continue
        if local == "style" and _clean_css(child.text or "") is None:
            element.remove(child)
            continue
        _clean_attributes(child)
        _clean(child)


def sanitize_svg(data: bytes) -> bytes:
    """Return a cleaned copy of ``data``; raise :class:`UnsafeSvg` if it is not usable SVG."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise UnsafeSvg(f"not a well-formed SVG document: {exc}") from exc
    namespace, local = _local(root.tag)
    if namespace != SVG_NS or local != "svg":
        raise UnsafeSvg("the document's root element is not <svg>")
    _clean_attributes(root)
    _clean(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")
