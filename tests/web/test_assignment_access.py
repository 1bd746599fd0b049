"""Assigning private content to a class lets its members play it, through the API too
(``h5p.content.readable_content``); nobody else gains access."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import Account, MakeAccount

PACKAGE = "H5P.MultiChoice.h5p"


def _import(client: TestClient, account: Account, path: Path) -> str:
    with path.open("rb") as handle:
        response = client.post(
            "/h5p/import",
            headers=account.headers,
            files={"h5p": (path.name, handle, "application/zip")},
        )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["contentId"])


def _class_with(client: TestClient, teacher: Account, members: list[Account]) -> str:
    created = client.post("/api/analytics/classes", headers=teacher.headers, json={"name": "7B"})
    assert created.status_code == 201, created.text
    class_id = str(created.json()["data"]["id"])
    added = client.post(
        f"/api/analytics/classes/{class_id}/members",
        headers=teacher.headers,
        json={"userIds": [member.id for member in members]},
    )
    assert added.status_code == 200, added.text
    return class_id


def test_private_content_assigned_to_a_class_is_playable_by_its_members_only(
    client: TestClient,
    admin: Account,
    teacher: Account,
    make_account: MakeAccount,
    fixtures_dir: Path,
) -> None:
    package = fixtures_dir / "h5p" / "hub" / PACKAGE
    _import(client, admin, package)  # the admin installs the libraries
    content_id = _import(client, teacher, package)  # private to the teacher
    member = make_account("learner")
    outsider = make_account("learner")
    class_id = _class_with(client, teacher, [member])

    # Before the assignment the private content is nobody else's business.
    for learner in (member, outsider):
        assert client.get(f"/h5p/play/{content_id}", headers=learner.headers).status_code == 404

    assigned = client.post(
        f"/api/analytics/classes/{class_id}/content",
        headers=teacher.headers,
        json={"contentIds": [content_id]},
    )
    assert assigned.status_code == 200, assigned.text

    played = client.get(f"/h5p/play/{content_id}", headers=member.headers)
    assert played.status_code == 200, played.text
    assert client.get(f"/h5p/content/{content_id}", headers=member.headers).status_code == 200
    page = client.get(f"/h5p/embed/{content_id}", headers=member.headers)
    assert page.status_code == 200
    assert "H5PIntegration" in page.text

    # Not a member: still a 404 everywhere, as if the content did not exist.
    assert client.get(f"/h5p/play/{content_id}", headers=outsider.headers).status_code == 404
    assert client.get(f"/h5p/content/{content_id}", headers=outsider.headers).status_code == 404
    assert client.get(f"/h5p/embed/{content_id}", headers=outsider.headers).status_code == 404
    # Access comes from the class, not from ever having been in it: removing the member
    # or the assignment takes it away again.
    removed = client.delete(
        f"/api/analytics/classes/{class_id}/members/{member.id}", headers=teacher.headers
    )
    assert removed.status_code == 200, removed.text
    assert client.get(f"/h5p/play/{content_id}", headers=member.headers).status_code == 404
    # Reading is all membership gives: a member cannot change or delete the content.
    client.post(
        f"/api/analytics/classes/{class_id}/members",
        headers=teacher.headers,
        json={"userIds": [member.id]},
    )
    assert client.delete(f"/h5p/content/{content_id}", headers=member.headers).status_code == 403
    assert (
        client.patch(
            f"/h5p/content/{content_id}/visibility",
            headers=member.headers,
            json={"visibility": "public"},
        ).status_code
        == 403
    )
    assert client.get(f"/h5p/play/{content_id}", headers=member.headers).status_code == 200
