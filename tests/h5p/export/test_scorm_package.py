"""The SCORM package: manifest valid against ADL's XSDs, one SCO, every file listed."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from lxml import etree  # type: ignore[import-untyped]

from tests.h5p.export.conftest import (
    SCORM_12_NAMESPACES,
    SCORM_12_SCHEMAS,
    SCORM_2004_3RD_SCHEMAS,
    SCORM_2004_4TH_SCHEMAS,
    SCORM_2004_NAMESPACES,
    import_for,
    manifest_schema,
    zip_entries,
)

SCHEMAS = {
    "1.2": [(SCORM_12_SCHEMAS, SCORM_12_NAMESPACES)],
    "2004": [
        (SCORM_2004_3RD_SCHEMAS, SCORM_2004_NAMESPACES),
        (SCORM_2004_4TH_SCHEMAS, SCORM_2004_NAMESPACES),
    ],
}
CONTROL_FILES = ("imsmanifest.xml",)
HUB_PACKAGES = [
    "H5P.MultiChoice.h5p",
    "H5P.QuestionSet.h5p",
    "H5P.DragText.h5p",
    "H5P.Blanks.h5p",
]


def export(client, headers, content_id, query=""):
    return client.get(f"/h5p/content/{content_id}/export-scorm{query}", headers=headers)


def resource_files(manifest: bytes) -> tuple[etree._Element, list[str]]:
    root = etree.fromstring(manifest)
    resources = root.findall(".//{*}resources/{*}resource")
    assert len(resources) == 1
    return resources[0], [unquote(f.get("href")) for f in resources[0].findall("{*}file")]


@pytest.mark.parametrize("version", ["1.2", "2004"])
@pytest.mark.parametrize("package", HUB_PACKAGES)
def test_exported_manifest_validates_against_adl_schemas_and_lists_every_file(
    client, admin, hub_dir, package, version
):
    content_id = import_for(client, admin, admin, hub_dir, package)
    response = export(client, admin.headers, content_id, f"?version={version}&masteryScore=80")
    assert response.status_code == 200, response.text
    entries = zip_entries(response.content)
    manifest = etree.fromstring(entries["imsmanifest.xml"])
    for directory, namespaces in SCHEMAS[version]:
        schema = manifest_schema(directory, namespaces)
        assert schema.validate(manifest), (directory.name, schema.error_log)

    resource, files = resource_files(entries["imsmanifest.xml"])
    assert resource.get("href") == "index.html"
    scorm_type = [
        value for name, value in resource.attrib.items() if name.lower().endswith("}scormtype")
    ]
    assert scorm_type == ["sco"]
    package_files = {
        name
        for name in entries
        if not name.endswith("/") and name not in CONTROL_FILES and not name.endswith(".xsd")
    }
    assert set(files) == package_files
    assert len(files) == len(set(files))
    # the schema files the manifest names travel with it
    locations = manifest.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()
    for schema_file in locations[1::2]:
        assert schema_file in entries
    assert {"index.html", "content.json", "h5p-scorm-wrapper.js"} <= set(files)
    assert "h5p-core/frame.bundle.js" in files


def test_scorm12_mastery_score_comes_from_the_query_parameter(
    client, admin, teacher_multichoice, teacher
):
    response = export(
        client, teacher.headers, teacher_multichoice, "?version=1.2&masteryScore=75.5"
    )
    assert response.status_code == 200, response.text
    manifest = etree.fromstring(zip_entries(response.content)["imsmanifest.xml"])
    assert [e.text for e in manifest.iter("{*}masteryscore")] == ["75.5"]


def test_scorm2004_primary_objective_has_the_minimum_normalized_measure(
    client, teacher_multichoice, teacher
):
    response = export(client, teacher.headers, teacher_multichoice, "?version=2004&masteryScore=60")
    manifest = etree.fromstring(zip_entries(response.content)["imsmanifest.xml"])
    primary = manifest.find(".//{http://www.imsglobal.org/xsd/imsss}primaryObjective")
    assert primary.get("satisfiedByMeasure") == "true"
    measure = primary.find("{http://www.imsglobal.org/xsd/imsss}minNormalizedMeasure")
    assert measure.text == "0.6"


def test_mastery_score_defaults_to_the_setting_and_is_absent_without_one(
    client, app, teacher_multichoice, teacher
):
    without = export(client, teacher.headers, teacher_multichoice, "?version=1.2")
    manifest = etree.fromstring(zip_entries(without.content)["imsmanifest.xml"])
    assert list(manifest.iter("{*}masteryscore")) == []
    app.state.settings.h5p_scorm_mastery_percent = 90
    configured = export(client, teacher.headers, teacher_multichoice, "?version=1.2")
    manifest = etree.fromstring(zip_entries(configured.content)["imsmanifest.xml"])
    assert [e.text for e in manifest.iter("{*}masteryscore")] == ["90"]


def test_package_holds_only_the_libraries_the_content_needs(client, admin, hub_dir, teacher):
    multichoice = import_for(client, admin, teacher, hub_dir, "H5P.MultiChoice.h5p")
    import_for(client, admin, teacher, hub_dir, "H5P.DragText.h5p")
    entries = zip_entries(export(client, teacher.headers, multichoice).content)
    folders = {name.split("/")[1] for name in entries if name.startswith("libraries/")}
    assert any(folder.startswith("H5P.MultiChoice-") for folder in folders)
    assert not any(folder.startswith("H5P.DragText-") for folder in folders)
    # editor-only libraries are not part of what plays
    assert not any(folder.startswith("H5PEditor.") for folder in folders)


def test_bridge_carries_version_and_mastery(client, teacher_multichoice, teacher):
    response = export(client, teacher.headers, teacher_multichoice, "?version=2004&masteryScore=50")
    bridge = zip_entries(response.content)["h5p-scorm-wrapper.js"].decode()
    assert bridge.startswith('window.LearnLoopScorm = {"version": "2004", "masteryScore": 50.0};')
    assert "API_1484_11" in bridge


def test_filename_is_title_scorm_version_with_utf8_name(client, admin, teacher, hub_dir, session):
    from learnloop.h5p.models import H5PContent

    content_id = import_for(client, admin, teacher, hub_dir, "H5P.MultiChoice.h5p")
    session.get(H5PContent, content_id).title = 'Quiz "Ätna" / <b>2</b>'
    session.flush()
    response = export(client, teacher.headers, content_id, "?version=2004")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Quiz Atna b2b_scorm2004.zip"; ')
    assert (
        "filename*=UTF-8''Quiz%20%22%C3%84tna%22%20_%20%3Cb%3E2%3C_b%3E_scorm2004.zip"
        in disposition
    )
    assert response.headers["content-type"] == "application/zip"


@pytest.mark.parametrize(
    "query",
    [
        "?version=3",
        "?version=",
        "?masteryScore=101",
        "?masteryScore=-1",
        "?masteryScore=abc",
        "?masteryScore=%00",
    ],
)
def test_bad_query_parameters_are_4xx(client, teacher_multichoice, teacher, query):
    response = export(client, teacher.headers, teacher_multichoice, query)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "name", ["imsmanifest.xml", "index.html", "libraries/x.js", "content.json"]
)
def test_content_file_named_like_a_package_file_is_409_and_nothing_is_exported(
    client, storage, teacher_multichoice, teacher, name
):
    storage.put_bytes(f"content/{teacher_multichoice}/{name}", b"<script>alert(1)</script>")
    response = export(client, teacher.headers, teacher_multichoice, "?version=1.2")
    assert response.status_code == 409
    assert response.json()["success"] is False
    assert "rename" in response.json()["error"]
