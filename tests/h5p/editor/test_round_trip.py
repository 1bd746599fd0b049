"""Opening hub content in the editor and saving it unchanged leaves its params identical
(issue 15, "Round trip"), on every hub fixture."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.h5p.conftest import import_file

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
