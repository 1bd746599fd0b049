"""Import writes rows, then files; a failure on the way leaves nothing behind."""

from __future__ import annotations

from sqlalchemy import func, select

from learnloop.h5p.importer import import_package
from learnloop.h5p.models import ContentOwnership, H5PContent, H5PLibrary
from tests.h5p.conftest import import_file


def test_a_failed_file_write_removes_what_was_written(
    client, admin, validator_dir, session, storage
):
    # A plain file where the content folder should be: library files are written first,
    # then writing the content's files fails.
    (storage.root / "content").write_bytes(b"in the way")

    response = import_file(client, admin.headers, validator_dir / "valid2.h5p")

    assert response.status_code == 500
    assert storage.list_keys("") == ["content"]
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 0
    assert session.scalar(select(func.count()).select_from(H5PContent)) == 0


def test_import_without_an_owner_creates_legacy_content(session, storage, settings, validator_dir):
    with (validator_dir / "valid2.h5p").open("rb") as handle:
        result = import_package(
            session, storage, settings, None, handle, may_install_libraries=True
        )

    assert result.installed_libraries == 1 and result.upgraded_libraries == 0
    assert session.get(H5PContent, result.content_id) is not None
    assert session.get(ContentOwnership, result.content_id) is None


def test_imported_metadata_keeps_h5p_json_fields(client, admin, hub_dir, session):
    content_id = import_file(client, admin.headers, hub_dir / "H5P.Accordion.h5p").json()["data"][
        "contentId"
    ]
    content = session.get(H5PContent, content_id)
    assert content.metadata_json["mainLibrary"] == "H5P.Accordion"
    assert all(
        isinstance(item["majorVersion"], int)
        for item in content.metadata_json["preloadedDependencies"]
    )
    assert content.embed_types == content.metadata_json["embedTypes"]
