"""Reading a cmi5 course structure (``cmi5.xml``): XSD validation and the rules the XSD
cannot express (cmi5 section 13 "Course Structure Data Model", 14 "Course Package").

Every value is stripped of surrounding whitespace (course structures are commonly
pretty-printed, and the spec's own examples put line breaks around URLs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from urllib.parse import parse_qsl, urlsplit

from lxml import etree  # type: ignore[import-untyped]

from learnloop.cmi5.errors import InvalidCoursePackage
from learnloop.cmi5.xsd import course_structure_xsd

# cmi5 "Quartz" 13.2: the namespace of the v1 Course Structure XSD, which authoring tools
# write; the pre-1.0 draft namespace is still accepted for packages built for it.
NAMESPACE_V1 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
NAMESPACE_LEGACY = "http://www.adlnet.gov/cmi5/CourseStructure.xsd"
NAMESPACES = (NAMESPACE_V1, NAMESPACE_LEGACY)
# cmi5 8.1: the LMS adds these five to the AU's URL, so the AU's own URL may not carry them.
LAUNCH_PARAMETER_NAMES = ("endpoint", "fetch", "actor", "registration", "activityId")
MAX_XML_BYTES = 20 * 1024 * 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass
class ParsedObjective:
    publisher_id: str
    title: dict[str, str]
    description: dict[str, str]


@dataclass
class ParsedAu:
    publisher_id: str
    title: dict[str, str]
    description: dict[str, str]
    objectives: list[str]
    url: str
    url_is_relative: bool
    move_on: str
    mastery_score: float | None
    launch_method: str
    launch_parameters: str | None
    entitlement_key: str | None
    activity_type: str | None


@dataclass
class ParsedBlock:
    publisher_id: str
    title: dict[str, str]
    description: dict[str, str]
    objectives: list[str]
    children: list[ParsedAu | ParsedBlock] = field(default_factory=list)


@dataclass
class ParsedCourse:
    publisher_id: str
    title: dict[str, str]
    description: dict[str, str]
    objectives: list[ParsedObjective]
    children: list[ParsedAu | ParsedBlock]

    def aus(self) -> list[ParsedAu]:
        found: list[ParsedAu] = []

        def walk(nodes: list[ParsedAu | ParsedBlock]) -> None:
            for node in nodes:
                if isinstance(node, ParsedAu):
                    found.append(node)
                else:
                    walk(node.children)

        walk(self.children)
        return found


@cache
def _schema(namespace: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(course_structure_xsd(namespace).encode(), _parser()))


def _parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network: a course file is untrusted input.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _is_absolute_iri(value: str) -> bool:
    return bool(_SCHEME.match(value)) and not any(ch.isspace() for ch in value)


def _text(element: etree._Element | None, ns: dict[str, str]) -> dict[str, str]:
    if element is None:
        return {}
    strings: dict[str, str] = {}
    for langstring in element.findall("c:langstring", ns):
        lang = _clean(langstring.get("lang")) or "und"
        strings[lang] = _clean(langstring.text)
    return strings


def _objective_refs(element: etree._Element, ns: dict[str, str]) -> list[str]:
    objectives = element.find("c:objectives", ns)
    if objectives is None:
        return []
    return [_clean(o.get("idref")) for o in objectives.findall("c:objective", ns)]


class _Reader:
    def __init__(self, *, namespace: str, in_zip: bool, zip_files: frozenset[str]) -> None:
        self.namespace = namespace
        self.ns = {"c": namespace}
        self.in_zip = in_zip
        self.zip_files = zip_files
        self.ids: set[str] = set()
        self.objective_ids: set[str] = set()

    def claim_id(self, value: str, what: str) -> str:
        # cmi5 13.1.1 / 13.1.2 / 13.1.3: ids are IRIs, globally unique in the course.
        if not _is_absolute_iri(value):
            raise InvalidCoursePackage(
                f"{what} id {value!r} is not an absolute IRI (cmi5 13.1: ids MUST be IRIs)"
            )
        if value in self.ids:
            raise InvalidCoursePackage(
                f"{what} id {value!r} is used twice; course, block, AU and objective ids "
                "MUST be unique (cmi5 13.1)"
            )
        self.ids.add(value)
        return value

    def check_refs(self, refs: list[str], what: str) -> list[str]:
        for ref in refs:
            if ref not in self.objective_ids:
                raise InvalidCoursePackage(
                    f"{what} refers to objective {ref!r}, which the course does not declare "
                    "(cmi5 13.1.4 objectives)"
                )
        return refs

    def url(self, raw: str, au_id: str) -> tuple[str, bool]:
        value = raw.strip()
        try:
            parts = urlsplit(value)
        except ValueError as exc:
            raise InvalidCoursePackage(f"AU {au_id}: url {value!r} is not a valid URL") from exc
        if any(ch.isspace() for ch in value):
            raise InvalidCoursePackage(f"AU {au_id}: url {value!r} contains whitespace")
        names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
        clashing = sorted(names & set(LAUNCH_PARAMETER_NAMES))
        if clashing:
            raise InvalidCoursePackage(
                f"AU {au_id}: url already carries the launch parameter(s) {', '.join(clashing)}, "
                "which the LMS adds (cmi5 8.1)"
            )
        if parts.scheme:
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                raise InvalidCoursePackage(
                    f"AU {au_id}: url {value!r} must be an http(s) URL or a path inside the "
                    "package (cmi5 13.1.4 url)"
                )
            return value, False
        if parts.netloc or value.startswith("/"):
            raise InvalidCoursePackage(
                f"AU {au_id}: url {value!r} must be fully qualified or relative to the package"
            )
        if not self.in_zip:
            raise InvalidCoursePackage(
                f"AU {au_id}: url {value!r} is relative, but a course structure XML without a "
                "ZIP package MUST use fully qualified URLs (cmi5 14.2)"
            )
        path = parts.path
        segments = path.split("/")
        if not path or any(segment in ("", ".", "..") for segment in segments):
            raise InvalidCoursePackage(f"AU {au_id}: url {value!r} is not a file in the package")
        if path not in self.zip_files:
            raise InvalidCoursePackage(
                f"AU {au_id}: url {value!r} is relative but the package holds no file {path!r} "
                "(cmi5 14.1: media in the package use relative URLs)"
            )
        return value, True

    def au(self, element: etree._Element) -> ParsedAu:
        au_id = self.claim_id(_clean(element.get("id")), "AU")
        url, relative = self.url(_clean(element.findtext("c:url", namespaces=self.ns)), au_id)
        mastery_raw = _clean(element.get("masteryScore"))
        mastery: float | None = None
        if mastery_raw:
            try:
                mastery = float(Decimal(mastery_raw))
            except InvalidOperation as exc:  # the XSD already checks; kept for safety
                raise InvalidCoursePackage(f"AU {au_id}: masteryScore is not a decimal") from exc
        launch_parameters = element.find("c:launchParameters", self.ns)
        entitlement = element.find("c:entitlementKey", self.ns)
        return ParsedAu(
            publisher_id=au_id,
            title=_text(element.find("c:title", self.ns), self.ns),
            description=_text(element.find("c:description", self.ns), self.ns),
            objectives=self.check_refs(_objective_refs(element, self.ns), f"AU {au_id}"),
            url=url,
            url_is_relative=relative,
            move_on=_clean(element.get("moveOn")) or "NotApplicable",
            mastery_score=mastery,
            launch_method=_clean(element.get("launchMethod")) or "AnyWindow",
            launch_parameters=(
                _clean(launch_parameters.text) if launch_parameters is not None else None
            ),
            entitlement_key=_clean(entitlement.text) if entitlement is not None else None,
            activity_type=_clean(element.get("activityType")) or None,
        )

    def block(self, element: etree._Element) -> ParsedBlock:
        block_id = self.claim_id(_clean(element.get("id")), "block")
        return ParsedBlock(
            publisher_id=block_id,
            title=_text(element.find("c:title", self.ns), self.ns),
            description=_text(element.find("c:description", self.ns), self.ns),
            objectives=self.check_refs(_objective_refs(element, self.ns), f"block {block_id}"),
            children=self.children(element),
        )

    def children(self, element: etree._Element) -> list[ParsedAu | ParsedBlock]:
        nodes: list[ParsedAu | ParsedBlock] = []
        for child in element:
            if child.tag == f"{{{self.namespace}}}au":
                nodes.append(self.au(child))
            elif child.tag == f"{{{self.namespace}}}block":
                nodes.append(self.block(child))
        return nodes


def parse_course_structure(
    xml: bytes, *, in_zip: bool = False, zip_files: frozenset[str] = frozenset()
) -> ParsedCourse:
    """Validate ``cmi5.xml`` and return its tree; raise ``InvalidCoursePackage`` naming the
    broken rule. ``zip_files``: the file names of the package, for relative AU URLs."""
    if len(xml) > MAX_XML_BYTES:
        raise InvalidCoursePackage("cmi5.xml is larger than 20 MB")
    try:
        root = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidCoursePackage(f"cmi5.xml is not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise InvalidCoursePackage("cmi5.xml must not contain a DOCTYPE declaration")
    namespace = etree.QName(root).namespace
    if namespace not in NAMESPACES:
        raise InvalidCoursePackage(
            f"cmi5.xml's root element is not in the namespace {NAMESPACE_V1} "
            f"(nor the draft's {NAMESPACE_LEGACY}) (cmi5 13.2)"
        )
    schema = _schema(namespace)
    if not schema.validate(root):
        error = schema.error_log.last_error
        where = f"line {error.line}: " if error is not None else ""
        message = error.message if error is not None else "invalid"
        raise InvalidCoursePackage(
            f"cmi5.xml does not conform to the CourseStructure XSD (cmi5 13.2): {where}{message}"
        )
    reader = _Reader(namespace=namespace, in_zip=in_zip, zip_files=zip_files)
    ns = reader.ns
    course = root.find("c:course", ns)
    assert course is not None  # guaranteed by the XSD
    course_id = reader.claim_id(_clean(course.get("id")), "course")
    objectives: list[ParsedObjective] = []
    objectives_element = root.find("c:objectives", ns)
    if objectives_element is not None:
        for objective in objectives_element.findall("c:objective", ns):
            objective_id = reader.claim_id(_clean(objective.get("id")), "objective")
            reader.objective_ids.add(objective_id)
            objectives.append(
                ParsedObjective(
                    publisher_id=objective_id,
                    title=_text(objective.find("c:title", ns), ns),
                    description=_text(objective.find("c:description", ns), ns),
                )
            )
    return ParsedCourse(
        publisher_id=course_id,
        title=_text(course.find("c:title", ns), ns),
        description=_text(course.find("c:description", ns), ns),
        objectives=objectives,
        children=reader.children(root),
    )
