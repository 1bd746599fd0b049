"""The web app's pages through HTTP (the browser flows are in test_web_browser.py):
landing and sign-out, authorization per page and role, CSRF on every form, bad input,
the roster preview, due dates, my assignments, the gradebook and the attempt report."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.models import ClassContent, ClassMember, LearnerClass
from learnloop.h5p.models import H5PContent
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


@pytest.fixture
def content_id(client: TestClient, admin: Account, teacher: Account, fixtures_dir: Path) -> str:
    package = fixtures_dir / "h5p" / "hub" / PACKAGE
    _import(client, admin, package)  # an admin installs the libraries first
    return _import(client, teacher, package)


def _class(session: Session, owner: Account, name: str = "7B") -> LearnerClass:
    learner_class = LearnerClass(owner_id=owner.id, name=name)
    session.add(learner_class)
    session.commit()
    return learner_class


def test_landing_sends_each_role_home_and_signed_out_visitors_to_sign_in(
    signed_in: Any, client: TestClient, admin: Account, teacher: Account, learner: Account
) -> None:
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert signed_in(teacher).get("/").headers["location"] == "/library"
    assert signed_in(learner).get("/").headers["location"] == "/my-assignments"
    assert signed_in(admin).get("/").headers["location"] == "/admin"
    # The login page's default target is "/", so a learner never lands on a teacher page.
    client.cookies.clear()
    assert 'data-next="/"' in client.get("/login").text
    # A signed-out visitor of a page is sent to sign in and back.
    page = client.get("/classes", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fclasses"


def test_sign_out_needs_the_csrf_token_and_clears_the_cookie(
    signed_in: Any, learner: Account
) -> None:
    browser = signed_in(learner)
    page = browser.get("/my-assignments")
    assert page.status_code == 200
    assert f'name="csrf_token" value="{browser.csrf}"' in page.text
    assert f'<meta name="csrf-token" content="{browser.csrf}">' in page.text
    refused = browser.post("/logout", csrf=False)
    assert refused.status_code == 403
    forged = browser.post("/logout", {"csrf_token": "0" * 64}, csrf=False)
    assert forged.status_code == 403
    done = browser.post("/logout")
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert 'learnloop_token=""' in done.headers["set-cookie"]


@pytest.mark.parametrize(
    "path",
    [
        "/library",
        "/classes",
        "/admin",
        "/admin/users",
        "/admin/lrs-clients",
        "/admin/libraries",
        "/admin/jobs",
        "/admin/plans",
    ],
)
def test_a_learner_gets_a_403_page_on_teacher_and_admin_pages(
    signed_in: Any, learner: Account, path: str
) -> None:
    page = signed_in(learner).get(path)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
    assert "Not allowed" in page.text
    assert "My assignments" in page.text  # the learner's own navigation


def test_a_teacher_gets_a_403_page_on_admin_pages(signed_in: Any, teacher: Account) -> None:
    for path in ("/admin", "/admin/users", "/admin/jobs"):
        assert signed_in(teacher).get(path).status_code == 403
    refused = signed_in(teacher).post(
        "/admin/users", {"email": "new@example.test", "role": "admin"}
    )
    assert refused.status_code == 403


def test_teacher_b_cannot_see_or_change_teacher_a_class(
    signed_in: Any,
    session: Session,
    teacher: Account,
    make_account: MakeAccount,
    content_id: str,
) -> None:
    learner_class = _class(session, teacher)
    other = signed_in(make_account("teacher"))
    base = f"/classes/{learner_class.id}"
    for path in (base, f"{base}/gradebook", f"{base}/gradebook?format=csv", f"{base}/delete"):
        assert other.get(path).status_code == 403, path
    for path, data in (
        (f"{base}/rename", {"name": "mine now"}),
        (f"{base}/delete", {}),
        (f"{base}/assign", {"content_id": content_id}),
    ):
        assert other.post(path, data).status_code == 403, path
    session.expire_all()
    assert session.get(LearnerClass, learner_class.id) is not None
    assert session.get(LearnerClass, learner_class.id).name == "7B"  # type: ignore[union-attr]
    # Teacher B cannot open, rename or delete teacher A's private content either.
    assert other.get(f"/library/{content_id}").status_code == 404
    assert other.post(f"/library/{content_id}/delete").status_code == 404
    assert session.get(H5PContent, content_id) is not None


def test_class_forms_without_the_csrf_token_change_nothing(
    signed_in: Any, session: Session, teacher: Account
) -> None:
    browser = signed_in(teacher)
    refused = browser.post("/classes", {"name": "Forged"}, csrf=False)
    assert refused.status_code == 403
    assert session.scalars(select(LearnerClass).where(LearnerClass.name == "Forged")).all() == []
    created = browser.post("/classes", {"name": "  Real  "})
    assert created.status_code == 303
    class_id = created.headers["location"].split("/")[2].split("?")[0]
    assert session.get(LearnerClass, class_id).name == "Real"  # type: ignore[union-attr]


def test_bad_form_input_is_a_4xx_page(signed_in: Any, teacher: Account, content_id: str) -> None:
    browser = signed_in(teacher)
    assert browser.post("/classes", {"name": "x" * 201}).status_code == 400
    assert browser.post("/classes", {"name": "   "}).status_code == 400
    assert browser.post(f"/library/{content_id}/rename", {"title": "  "}).status_code == 400
    assert (
        browser.post(f"/library/{content_id}/visibility", {"visibility": "everyone"}).status_code
        == 400
    )
    assert (
        browser.post(f"/library/{content_id}/curriculum", {"difficulty": "nightmare"}).status_code
        == 400
    )
    assert browser.get("/library/..%2F..%2Fetc").status_code in (404, 422)


def test_roster_preview_lists_who_is_added_and_who_is_not_and_changes_nothing(
    signed_in: Any,
    session: Session,
    teacher: Account,
    make_account: MakeAccount,
) -> None:
    learner_class = _class(session, teacher)
    ada = make_account("learner", email="ada@example.test", name="Ada")
    make_account("teacher", email="colleague@example.test")
    browser = signed_in(teacher)
    roster = (
        "Name,Email\nAda,ADA@example.test\nNobody,nobody@example.test\nC,colleague@example.test\n"
    )
    preview = browser.post(
        f"/classes/{learner_class.id}/roster/preview",
        files={"roster": ("roster.csv", io.BytesIO(roster.encode()), "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    will_add = preview.text.split('id="will-add"')[1].split("</ul>")[0]
    not_added = preview.text.split('id="not-added"')[1].split("</ul>")[0]
    assert "ada@example.test" in will_add
    # A teacher's address and an unknown one look the same: no account enumeration.
    assert "nobody@example.test" in not_added
    assert "colleague@example.test" in not_added
    assert "teacher" not in not_added
    assert not session.scalars(select(ClassMember)).all()

    added = browser.post(
        f"/classes/{learner_class.id}/roster/add",
        {"emails": ["ada@example.test", "nobody@example.test", "colleague@example.test"]},
    )
    assert added.status_code == 303
    members = session.scalars(
        select(ClassMember.user_id).where(ClassMember.class_id == learner_class.id)
    ).all()
    assert members == [ada.id]
    # Creating accounts from the roster is off unless the server allows it.
    refused = browser.post(
        f"/classes/{learner_class.id}/roster/add",
        {"emails": ["nobody@example.test"], "create_missing": "yes"},
    )
    assert refused.status_code == 403


def test_roster_files_that_are_not_text_csv_are_refused(
    signed_in: Any, session: Session, teacher: Account
) -> None:
    learner_class = _class(session, teacher)
    browser = signed_in(teacher)
    for name, data in (
        ("nul.csv", b"email\nada@example.test\x00\n"),
        ("binary.csv", b"\xff\xfe\x00\x01"),
        ("no-email-column.csv", b"name\nAda\n"),
        ("large.csv", b"email\n" + b"a" * (1024 * 1024 + 10)),
    ):
        response = browser.post(
            f"/classes/{learner_class.id}/roster/preview",
            files={"roster": (name, io.BytesIO(data), "text/csv")},
        )
        assert response.status_code == 400, name
        assert "text/html" in response.headers["content-type"]


def test_assignment_with_due_date_shows_in_my_assignments_and_the_gradebook(
    signed_in: Any,
    session: Session,
    teacher: Account,
    make_account: MakeAccount,
    content_id: str,
) -> None:
    learner_class = _class(session, teacher)
    member = make_account("learner", name="Mia Member")
    outsider = make_account("learner")
    session.add(ClassMember(class_id=learner_class.id, user_id=member.id))
    session.commit()
    browser = signed_in(teacher)
    assigned = browser.post(
        f"/classes/{learner_class.id}/assign", {"content_id": content_id, "due": "2026-12-24"}
    )
    assert assigned.status_code == 303, assigned.text
    row = session.get(ClassContent, (learner_class.id, content_id))
    assert row is not None and row.due_at is not None
    assert row.due_at.date().isoformat() == "2026-12-24"
    assert (
        browser.post(
            f"/classes/{learner_class.id}/assign", {"content_id": content_id, "due": "tomorrow"}
        ).status_code
        == 400
    )

    mine = signed_in(member).get("/my-assignments")
    assert mine.status_code == 200
    assert "24 Dec 2026" in mine.text
    assert "not started" in mine.text
    assert f'href="/play/{content_id}"' in mine.text
    assert signed_in(member).get(f"/play/{content_id}").status_code == 200
    assert "Nothing is assigned to you yet" in signed_in(outsider).get("/my-assignments").text
    assert signed_in(outsider).get(f"/play/{content_id}").status_code == 404

    book = browser.get(f"/classes/{learner_class.id}/gradebook")
    assert book.status_code == 200
    assert "Mia Member" in book.text
    assert "not started" in book.text
    csv_text = browser.get(f"/classes/{learner_class.id}/gradebook?format=csv").text
    header, line = csv_text.strip().splitlines()
    assert header.startswith("learner,email,content_id")
    assert line.startswith("Mia Member,") and ",not started," in line


def _answered(base_url: str, content_id: str, learner: Account) -> dict[str, Any]:
    return {
        "actor": {"objectType": "Agent", "mbox": f"mailto:{learner.user.email}"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {
            "id": f"{base_url}/h5p/content/{content_id}",
            "objectType": "Activity",
            "definition": {
                "name": {"en-US": "Colours"},
                "description": {"en-US": "<p>Which colour is the <b>sky</b>?</p>"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["1"],
                "choices": [
                    {"id": "0", "description": {"en-US": "<div>Green</div>"}},
                    {"id": "1", "description": {"en-US": "<div>Blue</div>"}},
                ],
            },
        },
        "result": {
            "response": "0",
            "success": False,
            "completion": True,
            "score": {"raw": 0, "max": 1, "min": 0, "scaled": 0},
        },
    }


def test_attempt_report_shows_question_text_and_answers_not_ids(
    client: TestClient,
    signed_in: Any,
    session: Session,
    settings: Any,
    teacher: Account,
    make_account: MakeAccount,
    content_id: str,
) -> None:
    learner_class = _class(session, teacher)
    member = make_account("learner", name="Mia Member")
    session.add(ClassMember(class_id=learner_class.id, user_id=member.id))
    session.add(ClassContent(class_id=learner_class.id, content_id=content_id))
    session.commit()
    stored = client.post(
        "/api/xapi/statements",
        headers=member.headers,
        json=_answered(settings.base_url, content_id, member),
    )
    assert stored.status_code in (200, 201), stored.text

    report = signed_in(teacher).get(f"/classes/{learner_class.id}/report/{member.id}/{content_id}")
    assert report.status_code == 200, report.text
    answers = report.text.split('id="answers"')[1]
    assert "Which colour is the sky?" in answers
    assert '<td data-label="Response">Green</td>' in answers
    assert '<td data-label="Correct response">Blue</td>' in answers
    assert "Incorrect" in answers
    # Only the class's members and assigned content have a report.
    outsider = make_account("learner")
    assert (
        signed_in(teacher)
        .get(f"/classes/{learner_class.id}/report/{outsider.id}/{content_id}")
        .status_code
        == 404
    )


def test_every_admin_area_is_reached_from_the_admin_home(signed_in: Any, admin: Account) -> None:
    browser = signed_in(admin)
    home = browser.get("/admin").text
    for path in (
        "/admin/users",
        "/admin/plans",
        "/admin/lrs-clients",
        "/admin/libraries",
        "/admin/partners",
        "/admin/lti",
        "/admin/jobs",
    ):
        assert f'href="{path}"' in home
        assert browser.get(path).status_code == 200, path


def test_admin_creates_a_user_and_an_lrs_client_whose_secret_is_shown_once(
    signed_in: Any, admin: Account, settings: Any
) -> None:
    browser = signed_in(admin)
    created = browser.post("/admin/users", {"email": "new.teacher@example.test", "role": "teacher"})
    assert created.status_code == 200
    assert 'id="new-password"' in created.text
    assert "new.teacher@example.test" in browser.get("/admin/users").text

    issued = browser.post(
        "/admin/lrs-clients", {"name": "Quiz tool", "scopes": ["statements/write"]}
    )
    assert issued.status_code == 200, issued.text
    secret = issued.text.split('id="client-secret">')[1].split("<")[0]
    assert len(secret) >= 16
    assert f"{settings.base_url}/xapi/" in issued.text
    listing = browser.get("/admin/lrs-clients").text
    assert "Quiz tool" in listing
    assert secret not in listing


def test_admin_library_page_lists_installed_libraries_and_their_use(
    signed_in: Any, admin: Account, content_id: str
) -> None:
    page = signed_in(admin).get("/admin/libraries")
    assert page.status_code == 200, page.text
    table = page.text.split('id="libraries"')[1]
    row = table.split("H5P.MultiChoice-1.")[1].split("</tr>")[0]
    assert "2 content items" in row  # the admin's import and the teacher's
    assert "in use" in row


def test_content_page_links_downloads_that_work(
    client: TestClient, signed_in: Any, teacher: Account, content_id: str
) -> None:
    page = signed_in(teacher).get(f"/library/{content_id}")
    assert page.status_code == 200
    for link in (
        f"/h5p/content/{content_id}/export",
        f"/h5p/content/{content_id}/export-scorm",
        f"/h5p/content/{content_id}/export-html",
    ):
        assert f'href="{link}"' in page.text
        download = client.get(link, headers=teacher.headers)
        assert download.status_code == 200, (link, download.text[:300])


def test_a_title_with_markup_is_escaped_on_the_page_and_in_the_embed_code(
    signed_in: Any, teacher: Account, content_id: str
) -> None:
    import html

    browser = signed_in(teacher)
    title = 'Say "hi" <script>alert(1)</script>'
    renamed = browser.post(f"/library/{content_id}/rename", {"title": title})
    assert renamed.status_code == 303, renamed.text
    page = browser.get(f"/library/{content_id}").text
    assert "<script>alert(1)</script>" not in page
    embed = html.unescape(
        page.split('id="embed-code" readonly rows="3">')[1].split("</textarea>")[0]
    )
    assert 'title="Say &quot;hi&quot; &lt;script&gt;alert(1)&lt;/script&gt;"' in embed
