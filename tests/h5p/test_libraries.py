"""Installed libraries: shared, upgraded by newer patches, ordered for the player, guarded."""

from __future__ import annotations

import json
import zipfile

from sqlalchemy import func, select

from learnloop.h5p.libraries import (
    DependencyGraph,
    get_library,
    library_assets,
    resolve_dependencies,
)
from learnloop.h5p.models import H5PLibrary
from tests.h5p.conftest import import_bytes, import_file, rebuild_zip

GREETING = "H5P.GreetingCard-1.0"


def _installed(session, key) -> H5PLibrary:
    library = get_library(session, key)
    assert library is not None, key
    return library


def _with_patch(validator_dir, patch: int, script: bytes) -> bytes:
    with zipfile.ZipFile(validator_dir / "valid2.h5p") as archive:
        library_json = json.loads(archive.read(f"{GREETING}/library.json"))
    library_json["patchVersion"] = patch
    return rebuild_zip(
        validator_dir / "valid2.h5p",
        {
            f"{GREETING}/library.json": json.dumps(library_json).encode(),
            f"{GREETING}/greetingcard.js": script,
        },
    )


def test_libraries_are_installed_once_and_shared(client, admin, validator_dir, session):
    first = import_file(client, admin.headers, validator_dir / "valid2.h5p")
    second = import_file(client, admin.headers, validator_dir / "valid2.h5p")
    assert first.json()["data"]["installedLibraries"] == 1
    assert second.json()["data"]["installedLibraries"] == 0
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 1


def test_a_newer_patch_upgrades_and_an_older_one_is_ignored(
    client, admin, validator_dir, session, storage
):
    import_file(client, admin.headers, validator_dir / "valid2.h5p")  # patch 6

    assert (
        import_bytes(client, admin.headers, _with_patch(validator_dir, 7, b"// v7")).status_code
        == 201
    )
    session.expire_all()
    library = _installed(session, ("H5P.GreetingCard", 1, 0))
    assert library.patch_version == 7
    assert storage.get_bytes(f"libraries/{GREETING}/greetingcard.js") == b"// v7"

    assert (
        import_bytes(client, admin.headers, _with_patch(validator_dir, 5, b"// v5")).status_code
        == 201
    )
    session.expire_all()
    assert _installed(session, ("H5P.GreetingCard", 1, 0)).patch_version == 7
    assert storage.get_bytes(f"libraries/{GREETING}/greetingcard.js") == b"// v7"


def test_dependencies_resolve_in_the_order_the_player_loads_them(
    client, admin, hub_dir, session, storage
):
    import_file(client, admin.headers, hub_dir / "H5P.MultiChoice.h5p")
    main = _installed(session, ("H5P.MultiChoice", 1, 14))

    ordered = resolve_dependencies(session, main)

    names = [library.machine_name for library in ordered]
    assert names[-1] == "H5P.MultiChoice"
    assert {"H5P.Question", "H5P.JoubelUI", "FontAwesome", "H5P.Transition"} <= set(names)
    assert not any(name.startswith("H5PEditor.") for name in names)  # editor deps not preloaded
    graph = DependencyGraph.load(session)
    position = {library.id: index for index, library in enumerate(ordered)}
    for library in ordered:
        for dependency_type, _weight, required in graph.edges.get(library.id, []):
            if dependency_type == "preloaded" and required in position:
                assert position[required] < position[library.id]
    assets = library_assets(ordered)
    assert assets.scripts[-1].startswith("libraries/H5P.MultiChoice-1.14/")
    assert all(storage.exists(key) for key in assets.scripts + assets.styles)

    with_editor = resolve_dependencies(session, main, frozenset({"preloaded", "editor"}))
    assert any(library.machine_name.startswith("H5PEditor.") for library in with_editor)


def test_libraries_in_use_cannot_be_deleted(client, admin, teacher, multichoice, storage):
    in_use = client.delete("/h5p/libraries/H5P.MultiChoice-1.14", headers=admin.headers)
    assert in_use.status_code == 409
    needed = client.delete("/h5p/libraries/H5P.Question-1.4", headers=admin.headers)
    assert needed.status_code == 409
    assert (
        client.delete("/h5p/libraries/H5P.MultiChoice-1.14", headers=teacher.headers).status_code
        == 403
    )

    client.delete(f"/h5p/content/{multichoice}", headers=teacher.headers)
    freed = client.delete("/h5p/libraries/H5P.MultiChoice-1.14", headers=admin.headers)

    assert freed.status_code == 200, freed.text
    assert storage.list_keys("libraries/H5P.MultiChoice-1.14") == []
    assert (
        client.delete("/h5p/libraries/H5P.MultiChoice-1.14", headers=admin.headers).status_code
        == 404
    )
    assert client.delete("/h5p/libraries/not-a-folder", headers=admin.headers).status_code == 400


def test_installed_libraries_are_listed_by_machine_name(
    client, learner, admin, hub_dir, validator_dir
):
    import_file(client, admin.headers, validator_dir / "valid2.h5p")
    import_file(client, admin.headers, hub_dir / "H5P.Accordion.h5p")

    listed = client.get("/h5p/libraries", headers=learner.headers).json()["data"]

    by_name = {item["machineName"]: item for item in listed}
    assert by_name["H5P.GreetingCard"] == {
        "machineName": "H5P.GreetingCard",
        "versions": ["1.0.6"],
        "latestVersion": "1.0.6",
    }
    assert "H5P.Accordion" in by_name
    assert [item["machineName"] for item in listed] == sorted(by_name)


def test_status_reports_the_30_essential_types(client, learner, admin, hub_dir):
    before = client.get("/h5p/libraries/status", headers=learner.headers).json()["data"]
    assert before["total"] == 30 and before["installed"] == 0 and before["ready"] is False

    for name in (
        "H5P.MultiChoice",
        "H5P.TrueFalse",
        "H5P.Accordion",
        "H5P.Chart",
        "H5P.Dialogcards",
    ):
        import_file(client, admin.headers, hub_dir / f"{name}.h5p")

    after = client.get("/h5p/libraries/status", headers=learner.headers).json()["data"]
    assert after["installed"] == 5 and after["ready"] is True
    status = {item["name"]: item["installed"] for item in after["status"]}
    assert len(status) == 30
    assert status["H5P.DialogCards"] is True  # the hub spells it H5P.Dialogcards
    assert status["H5P.InteractiveVideo"] is False
