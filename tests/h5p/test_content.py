"""The content API: create, read, update, delete, list, visibility, curriculum, quotas."""

from __future__ import annotations

import json

from sqlalchemy import delete, event, func, select

from learnloop.h5p.content import create_content
from learnloop.h5p.libraries import get_library
from learnloop.h5p.models import (
    ContentCurriculum,
    ContentOwnership,
    H5PContent,
    H5PContentLibrary,
)
from learnloop.plans.plans import assign_plan, upsert_plan
from tests.h5p.conftest import MULTICHOICE_PARAMS, import_file, teacher_import


def _create(client, headers, **overrides):
    body = {"library": "H5P.MultiChoice 1.14", "params": MULTICHOICE_PARAMS, **overrides}
    return client.post("/h5p/content", headers=headers, json=body)


def test_create_content_with_defaults_returns_reference_shape(
    client, teacher, multichoice, session
):
    response = _create(client, teacher.headers, metadata={"title": "Photosynthesis Quiz"})

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["message"] == "Content created successfully"
    content_id = body["data"]["contentId"]
    assert content_id.isdigit()
    assert body["data"]["metadata"] == {
        "title": "Photosynthesis Quiz",
        "mainLibrary": "H5P.MultiChoice",
        "embedTypes": ["iframe"],
        "language": "und",
        "defaultLanguage": "en",
        "license": "U",
        "preloadedDependencies": [
            {"machineName": "H5P.MultiChoice", "majorVersion": 1, "minorVersion": 14}
        ],
    }
    ownership = session.get(ContentOwnership, content_id)
    assert ownership.user_id == teacher.id and ownership.visibility == "private"

    got = client.get(f"/h5p/content/{content_id}", headers=teacher.headers).json()["data"]
    assert got["id"] == content_id
    assert got["title"] == "Photosynthesis Quiz"
    assert got["mainLibrary"] == "H5P.MultiChoice 1.14"
    assert got["embedTypes"] == ["iframe"]
    assert got["createdAt"].endswith("Z")


def test_create_accepts_params_as_a_json_string_and_defaults_title(client, teacher, multichoice):
    response = _create(client, teacher.headers, params=json.dumps(MULTICHOICE_PARAMS))
    assert response.status_code == 201
    assert response.json()["data"]["metadata"]["title"] == "Untitled Content"


def test_create_refuses_bad_library_and_params(client, teacher, multichoice):
    assert _create(client, teacher.headers, library="H5P.MultiChoice").status_code == 400
    assert _create(client, teacher.headers, library="H5P.Nothing 1.0").status_code == 400
    # H5P.Question is installed but is not a content type.
    assert _create(client, teacher.headers, library="H5P.Question 1.4").status_code == 400
    bad_json = _create(client, teacher.headers, params="{not json")
    assert bad_json.status_code == 400 and "Invalid JSON in params" in bad_json.json()["error"]
    assert _create(client, teacher.headers, params="[1, 2]").status_code == 400
    missing = client.post(
        "/h5p/content", headers=teacher.headers, json={"library": "H5P.MultiChoice 1.14"}
    )
    assert missing.status_code == 400


def test_update_changes_params_and_title_for_the_owner(client, teacher, multichoice, session):
    params = {**MULTICHOICE_PARAMS, "question": "<p>Updated?</p>"}
    response = client.put(
        f"/h5p/content/{multichoice}",
        headers=teacher.headers,
        json={
            "library": "H5P.MultiChoice 1.14",
            "params": params,
            "metadata": {"title": "Updated Quiz Title"},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Content updated successfully"
    assert response.json()["data"]["metadata"]["title"] == "Updated Quiz Title"
    session.expire_all()
    content = session.get(H5PContent, multichoice)
    assert content.params["question"] == "<p>Updated?</p>"
    assert content.title == "Updated Quiz Title"


def test_legacy_content_is_claimed_by_the_first_teacher_who_edits_it(
    client, make_account, multichoice, session
):
    session.execute(delete(ContentOwnership).where(ContentOwnership.content_id == multichoice))
    session.commit()
    other = make_account("teacher")

    response = client.put(
        f"/h5p/content/{multichoice}",
        headers=other.headers,
        json={"library": "H5P.MultiChoice 1.14", "params": MULTICHOICE_PARAMS},
    )

    assert response.status_code == 200, response.text
    session.expire_all()
    assert session.get(ContentOwnership, multichoice).user_id == other.id


def test_delete_is_a_hard_delete_of_files_and_rows(client, teacher, multichoice, session, storage):
    client.put(
        f"/h5p/content/{multichoice}/curriculum",
        headers=teacher.headers,
        json={"frameworkName": "NGSS", "topicNames": ["Plants"]},
    )
    assert storage.list_keys(f"content/{multichoice}")

    response = client.delete(f"/h5p/content/{multichoice}", headers=teacher.headers)

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Content deleted successfully"}
    session.expire_all()
    assert session.get(H5PContent, multichoice) is None
    assert session.get(ContentOwnership, multichoice) is None
    assert session.get(ContentCurriculum, multichoice) is None
    assert (
        session.scalar(
            select(func.count())
            .select_from(H5PContentLibrary)
            .where(H5PContentLibrary.content_id == multichoice)
        )
        == 0
    )
    assert storage.list_keys(f"content/{multichoice}") == []
    assert client.get(f"/h5p/content/{multichoice}", headers=teacher.headers).status_code == 404


def test_visibility_is_set_by_the_owner_and_validated(client, teacher, multichoice, session):
    response = client.patch(
        f"/h5p/content/{multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"contentId": multichoice, "visibility": "public"}
    assert session.get(ContentOwnership, multichoice).published_at is not None

    for body in ({}, {"visibility": "everyone"}):
        bad = client.patch(
            f"/h5p/content/{multichoice}/visibility", headers=teacher.headers, json=body
        )
        assert bad.status_code == 400


def test_curriculum_can_be_written_and_read(client, teacher, learner, multichoice):
    empty = client.get(f"/h5p/content/{multichoice}/curriculum", headers=teacher.headers)
    assert empty.json()["data"] == {"contentId": multichoice, "curriculum": None}
    curriculum = {
        "frameworkName": "NGSS",
        "stageName": "Middle School",
        "gradeName": "Grade 7",
        "subjectName": "Biology",
        "topicNames": ["Photosynthesis"],
        "difficulty": "intermediate",
        "language": "en",
    }
    put = client.put(
        f"/h5p/content/{multichoice}/curriculum", headers=teacher.headers, json=curriculum
    )
    assert put.status_code == 200
    assert put.json()["data"]["curriculum"] == curriculum
    got = client.get(f"/h5p/content/{multichoice}/curriculum", headers=teacher.headers)
    assert got.json()["data"]["curriculum"] == curriculum
    bad = client.put(
        f"/h5p/content/{multichoice}/curriculum",
        headers=teacher.headers,
        json={"difficulty": "extreme"},
    )
    assert bad.status_code == 400


def test_list_returns_owned_content_enriched(
    client, admin, teacher, make_account, multichoice, hub_dir
):
    client.put(
        f"/h5p/content/{multichoice}/curriculum",
        headers=teacher.headers,
        json={"frameworkName": "NGSS", "topicNames": ["Berries"], "difficulty": "beginner"},
    )
    client.patch(
        f"/h5p/content/{multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    teacher_import(client, admin.headers, teacher.headers, hub_dir / "H5P.Chart.h5p")
    other = make_account("teacher")
    teacher_import(client, admin.headers, other.headers, hub_dir / "H5P.Accordion.h5p")

    items = client.get("/h5p/content", headers=teacher.headers).json()["data"]

    assert len(items) == 2
    by_slug = {item["contentTypeSlug"]: item for item in items}
    assert set(by_slug) == {"multiple-choice", "chart"}
    quiz = by_slug["multiple-choice"]
    assert quiz["id"] == multichoice
    assert quiz["mainLibrary"] == "H5P.MultiChoice 1.14"
    assert quiz["visibility"] == "public" and quiz["viewCount"] == 0
    assert quiz["curriculum"]["frameworkName"] == "NGSS"
    assert quiz["curriculum"]["topicNames"] == ["Berries"]
    assert quiz["quality"] == {"overallScore": 80, "bloomsLevel": "Remember"}
    assert by_slug["chart"]["curriculum"] is None and by_slug["chart"]["visibility"] == "private"


def test_list_uses_the_same_number_of_queries_for_1_and_25_items(
    client, teacher, multichoice, session, engine
):
    library = get_library(session, ("H5P.MultiChoice", 1, 14))
    assert library is not None
    owner = teacher.user

    def count_queries() -> int:
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get("/h5p/content", headers=teacher.headers).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    one = count_queries()
    for _ in range(24):
        create_content(
            session, session.merge(owner), library, MULTICHOICE_PARAMS, {"title": "Quiz"}
        )
    session.commit()
    assert count_queries() == one


def test_creation_is_refused_with_429_when_the_plan_quota_is_used_up(
    client, admin, teacher, multichoice, session, hub_dir
):
    upsert_plan(session, "tiny", name="Tiny", features=[], quotas={"content": 1})
    assign_plan(session, session.merge(teacher.user), "tiny")
    session.commit()

    created = _create(client, teacher.headers)
    imported = teacher_import(client, admin.headers, teacher.headers, hub_dir / "H5P.Chart.h5p")

    assert created.status_code == 429
    assert imported.status_code == 429
    assert "allows 1 content" in created.json()["error"]


def test_hub_content_is_stored_as_the_package_had_it(client, admin, hub_dir, session):
    """The semantics filter keeps everything a real hub package holds."""
    for name in (
        "H5P.MultiChoice.h5p",
        "H5P.DragQuestion.h5p",
        "H5P.QuestionSet.h5p",
        "H5P.Summary.h5p",
    ):
        import zipfile

        with zipfile.ZipFile(hub_dir / name) as archive:
            original = json.loads(archive.read("content/content.json"))
        content_id = import_file(client, admin.headers, hub_dir / name).json()["data"]["contentId"]
        assert session.get(H5PContent, content_id).params == original, name


def test_record_view_counts_up_and_shows_in_the_list(client, teacher, multichoice, session):
    from learnloop.h5p.content import record_view

    record_view(session, multichoice)
    record_view(session, multichoice)
    session.commit()

    items = client.get("/h5p/content", headers=teacher.headers).json()["data"]
    assert items[0]["viewCount"] == 2


def test_update_without_metadata_keeps_title_and_package_dependencies(
    client, teacher, multichoice, session
):
    before = session.get(H5PContent, multichoice)
    title, dependencies = before.title, before.metadata_json["preloadedDependencies"]
    libraries_before = {
        row.library_id
        for row in session.scalars(
            select(H5PContentLibrary).where(H5PContentLibrary.content_id == multichoice)
        )
    }

    response = client.put(
        f"/h5p/content/{multichoice}",
        headers=teacher.headers,
        json={"library": "H5P.MultiChoice 1.14", "params": MULTICHOICE_PARAMS},
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["metadata"]["title"] == title
    session.expire_all()
    after = session.get(H5PContent, multichoice)
    assert after.title == title
    assert after.metadata_json["preloadedDependencies"] == dependencies
    libraries_after = {
        row.library_id
        for row in session.scalars(
            select(H5PContentLibrary).where(H5PContentLibrary.content_id == multichoice)
        )
    }
    assert libraries_after == libraries_before
