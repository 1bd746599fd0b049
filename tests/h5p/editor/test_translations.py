"""Semantics in the editor's language: language/<code>.json merged as h5peditor.js does."""

from __future__ import annotations

import json
import zipfile

from learnloop.h5p.editor.translations import deep_extend, translated_semantics


def test_deep_extend_merges_objects_and_arrays_by_index_like_jquery():
    target = [{"label": "A", "fields": [{"label": "x"}, {"label": "y"}]}, {"label": "B"}]
    merged = deep_extend(target, [{"label": "Ä", "fields": [{}, {"label": "ÿ"}]}])
    assert merged == [{"label": "Ä", "fields": [{"label": "x"}, {"label": "ÿ"}]}, {"label": "B"}]


def test_translated_semantics_leaves_the_original_unchanged():
    semantics = [{"name": "q", "type": "text", "label": "Question"}]
    translated = translated_semantics(semantics, {"semantics": [{"label": "Frage"}]})
    assert translated == [{"name": "q", "type": "text", "label": "Frage"}]
    assert semantics[0]["label"] == "Question"
    assert translated_semantics(semantics, None) == semantics


def test_library_action_merges_the_german_language_file(
    client, admin, teacher, multichoice, hub_dir
):
    with zipfile.ZipFile(hub_dir / "H5P.MultiChoice.h5p") as archive:
        german = json.loads(archive.read("H5P.MultiChoice-1.14/language/de.json"))
        semantics = json.loads(archive.read("H5P.MultiChoice-1.14/semantics.json"))
    query = "action=library&machineName=H5P.MultiChoice&majorVersion=1&minorVersion=14"

    response = client.get(f"/h5p/ajax?{query}&language=de", headers=teacher.headers)

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["language"] == "de"
    assert "de" in data["languages"] and "en" in data["languages"]
    assert ".en" not in data["languages"]
    assert data["semantics"][0]["label"] == german["semantics"][0]["label"]
    assert data["semantics"][0]["label"] != semantics[0]["label"]
    # Names and types come from semantics.json, never from the language file.
    assert [field["name"] for field in data["semantics"]] == [f["name"] for f in semantics]
    answers = next(f for f in data["semantics"] if f["name"] == "answers")
    german_answers = german["semantics"][
        semantics.index(next(f for f in semantics if f["name"] == "answers"))
    ]
    assert answers["field"]["fields"][0]["label"] == german_answers["field"]["fields"][0]["label"]


def test_library_action_falls_back_to_english_and_regional_codes(client, teacher, multichoice):
    query = "action=library&machineName=H5P.MultiChoice&majorVersion=1&minorVersion=14"
    english = client.get(f"/h5p/ajax?{query}&language=xx", headers=teacher.headers).json()["data"]
    swiss = client.get(f"/h5p/ajax?{query}&language=de-CH", headers=teacher.headers).json()["data"]
    assert english["language"] == "en"
    assert swiss["language"] == "de"


def test_translations_action_returns_language_files_or_null(client, teacher, multichoice):
    response = client.get(
        "/h5p/ajax?action=translations&language=nb"
        "&libraries=H5P.MultiChoice%201.14&libraries=H5P.Nothing%201.0",
        headers=teacher.headers,
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["H5P.Nothing 1.0"] is None
    assert isinstance(data["H5P.MultiChoice 1.14"]["semantics"], list)
    bad = client.get(
        "/h5p/ajax?action=translations&language=de&libraries=not-a-library", headers=teacher.headers
    )
    assert bad.status_code == 400
