"""Opening hub content in the editor and saving it unchanged leaves its params identical
(issue 15, "Round trip"), on every hub fixture."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.h5p.conftest import import_bytes, import_file, rebuild_zip

HUB_PACKAGES = [
    "H5P.Accordion.h5p",
    "H5P.Agamotto.h5p",
    "H5P.Audio.h5p",
    "H5P.Blanks.h5p",
    "H5P.Chart.h5p",
    "H5P.Dialogcards.h5p",
    "H5P.DragQuestion.h5p",
    "H5P.DragText.h5p",
    "H5P.Essay.h5p",
    "H5P.FindTheWords.h5p",
    "H5P.Flashcards.h5p",
    "H5P.GuessTheAnswer.h5p",
    "H5P.ImageHotspots.h5p",
    "H5P.ImageSequencing.h5p",
    "H5P.MarkTheWords.h5p",
    "H5P.MemoryGame.h5p",
    "H5P.MultiChoice.h5p",
    "H5P.QuestionSet.h5p",
    "H5P.SingleChoiceSet.h5p",
    "H5P.Summary.h5p",
    "H5P.TrueFalse.h5p",
]


def test_the_list_names_every_hub_fixture(hub_dir):
    assert sorted(path.name for path in hub_dir.glob("*.h5p")) == HUB_PACKAGES


@pytest.mark.parametrize("package", HUB_PACKAGES)
def test_edit_and_save_unchanged_keeps_params_identical(client, admin, hub_dir, package):
    with zipfile.ZipFile(hub_dir / package) as archive:
        original = json.loads(archive.read("content/content.json"))
    imported = import_file(client, admin.headers, hub_dir / package)
    assert imported.status_code == 201, imported.text
    content_id = imported.json()["data"]["contentId"]

    first = client.get(f"/h5p/edit/{content_id}", headers=admin.headers)
    assert first.status_code == 200, first.text
    model = first.json()["data"]
    assert model["params"] == original

    saved = client.put(
        f"/h5p/content/{content_id}",
        headers=admin.headers,
        json={
            "library": model["library"],
            "params": model["params"],
            "metadata": model["metadata"],
        },
    )
    assert saved.status_code == 200, saved.text

    second = client.get(f"/h5p/edit/{content_id}", headers=admin.headers).json()["data"]
    assert second["params"] == model["params"] == original
    assert second["library"] == model["library"]
    assert second["metadata"]["title"] == model["metadata"]["title"]
    assert second["metadata"]["preloadedDependencies"] == model["metadata"]["preloadedDependencies"]


def test_an_optional_select_left_empty_survives_import_edit_and_save(client, admin, hub_dir):
    """QuestionSet's ``override.showSolutionButton`` is an optional select; the editor
    writes "" for "no override" (as InteractiveVideo's goto.type), and core keeps it."""
    source = hub_dir / "H5P.QuestionSet.h5p"
    with zipfile.ZipFile(source) as archive:
        params = json.loads(archive.read("content/content.json"))
    params["override"] = {**params.get("override", {}), "showSolutionButton": "", "retryButton": ""}
    package = rebuild_zip(source, {"content/content.json": json.dumps(params).encode()})
    imported = import_bytes(client, admin.headers, package)
    assert imported.status_code == 201, imported.text
    content_id = imported.json()["data"]["contentId"]

    model = client.get(f"/h5p/edit/{content_id}", headers=admin.headers).json()["data"]
    assert model["params"]["override"]["showSolutionButton"] == ""
    saved = client.put(
        f"/h5p/content/{content_id}",
        headers=admin.headers,
        json={"library": model["library"], "params": model["params"]},
    )
    assert saved.status_code == 200, saved.text
    again = client.get(f"/h5p/edit/{content_id}", headers=admin.headers).json()["data"]
    assert again["params"] == params


def test_metadata_from_the_editor_form_is_saved(client, teacher, multichoice):
    metadata = {
        "title": "Berries",
        "license": "CC BY",
        "licenseVersion": "4.0",
        "authors": [{"name": "Ada", "role": "Author"}],
        "changes": [{"date": "03-12-26 10:00:00", "author": "Ada", "log": "Fixed a typo"}],
        "source": "https://example.org/berries",
        "yearFrom": 2024,
        "authorComments": "For grade 7",
    }
    model = client.get(f"/h5p/edit/{multichoice}", headers=teacher.headers).json()["data"]
    saved = client.put(
        f"/h5p/content/{multichoice}",
        headers=teacher.headers,
        json={"library": model["library"], "params": model["params"], "metadata": metadata},
    )
    assert saved.status_code == 200, saved.text
    stored = client.get(f"/h5p/edit/{multichoice}", headers=teacher.headers).json()["data"]
    assert {key: stored["metadata"][key] for key in metadata} == metadata
    assert stored["params"] == model["params"]

    bad = client.put(
        f"/h5p/content/{multichoice}",
        headers=teacher.headers,
        json={
            "library": model["library"],
            "params": model["params"],
            "metadata": {"authors": [{"name": "Ada", "role": "Author", "evil": 1}]},
        },
    )
    assert bad.status_code == 400
