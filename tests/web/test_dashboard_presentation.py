"""The dashboard pages as a teacher reads them: completion against assigned work,
questions named by their text, percentages and dates for people, top and weakest
content that are not the same items, one activity chart."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.analytics.models import ClassContent, ClassMember, LearnerClass
from learnloop.h5p.models import ContentOwnership, H5PContent, H5PLibrary
from learnloop.web.insights.presentation import split_top_and_weakest
from tests.conftest import Account, MakeAccount

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


def _statement(
    base_url: str, learner: Account, activity: str, verb: str, scaled: float, **definition: Any
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": f"mailto:{learner.user.email}"},
        "verb": {"id": verb},
        "object": {
            "objectType": "Activity",
            "id": f"{base_url}/h5p/content/{activity}",
            "definition": definition or {"name": {"en-US": activity}},
        },
        "result": {
            "score": {"scaled": scaled, "raw": scaled * 3, "min": 0, "max": 3},
            "success": scaled >= 0.5,
            "completion": True,
        },
    }


def _owned(session: Session, teacher: Account, content_id: str, title: str) -> None:
    """A content row is enough for the dashboard: it reads titles and ownership."""
    library = session.query(H5PLibrary).first()
    assert library is not None
    session.add(
        H5PContent(
            id=content_id,
            title=title,
            main_library_id=library.id,
            params={},
            metadata_json={"title": title},
            embed_types=["iframe"],
            language="und",
        )
    )
    session.flush()
    session.add(ContentOwnership(content_id=content_id, user_id=teacher.id))
    session.commit()


def test_dashboard_completion_labels_percentages_and_top_weakest(
    client: TestClient,
    signed_in: Any,
    session: Session,
    settings: Any,
    teacher: Account,
    admin: Account,
    make_account: MakeAccount,
    fixtures_dir: Any,
) -> None:
    package = fixtures_dir / "h5p" / "hub" / "H5P.MultiChoice.h5p"
    with package.open("rb") as handle:  # installs a library for the content rows below
        assert (
            client.post(
                "/h5p/import",
                headers=admin.headers,
                files={"h5p": (package.name, handle, "application/zip")},
            ).status_code
            == 201
        )
    _owned(session, teacher, "quiz1", "Quiz one")
    _owned(session, teacher, "quiz2", "Quiz two")
    learner_class = LearnerClass(owner_id=teacher.id, name="7B")
    session.add(learner_class)
    session.flush()
    done, idle = make_account("learner"), make_account("learner")
    for member in (done, idle):
        session.add(ClassMember(class_id=learner_class.id, user_id=member.id))
    for content_id in ("quiz1", "quiz2"):
        session.add(ClassContent(class_id=learner_class.id, content_id=content_id))
    session.commit()

    base = settings.base_url
    statements = [
        _statement(base, done, "quiz1", COMPLETED, 2 / 3),
        _statement(
            base,
            done,
            "quiz1?subContentId=q-1",
            ANSWERED,
            1.0,
            description={"en-US": "<p>How many legs has a spider?</p>"},
            interactionType="fill-in",
        ),
        _statement(base, idle, "quiz2", ANSWERED, 0.0),
    ]
    statements[2]["result"]["completion"] = False  # answered, not finished
    for statement in statements:
        learner = done if statement["actor"]["mbox"].endswith(done.user.email) else idle
        stored = client.post("/api/xapi/statements", headers=learner.headers, json=statement)
        assert stored.status_code in (200, 201), stored.text

    browser = signed_in(teacher)
    overview = browser.get(f"/dashboard?classId={learner_class.id}")
    assert overview.status_code == 200, overview.text
    # 1 of 4 learner × assigned item pairs is completed (quiz2 was only answered).
    rate = overview.text.split('id="completion-rate">')[1].split("<")[0]
    assert rate == "25 %", rate
    assert 'data-chart="activity"' not in overview.text  # the heatmap is the one chart
    top = overview.text.split("<h2>Top content</h2>")[1].split("</section>")[0]
    weakest = overview.text.split("<h2>Weakest content</h2>")[1].split("</section>")[0]
    assert "Quiz one" in top and "Quiz one" not in weakest
    assert "Quiz two" in weakest and "Quiz two" not in top
    assert "67 %" in top

    content = browser.get("/dashboard/content/quiz1")
    assert content.status_code == 200, content.text
    assert "How many legs has a spider?" in content.text
    assert ">q-1<" not in content.text

    student = browser.get(f"/dashboard/student/{done.id}")
    assert student.status_code == 200, student.text
    recent = student.text.split('id="recent"')[1]
    assert "67 %" in recent or "100 %" in recent
    assert "0.6666" not in recent
    first_date = recent.split("<td>")[1].split("</td>")[0]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC", first_date), first_date


def test_top_and_weakest_stay_apart_with_few_items_and_as_given_with_many() -> None:
    items = [{"contentId": c, "avgScore": s} for c, s in (("a", 90.0), ("b", 50.0), ("c", 10.0))]
    top, weakest = split_top_and_weakest(items, list(reversed(items)))
    assert [i["contentId"] for i in top] == ["a", "b"]
    assert [i["contentId"] for i in weakest] == ["c"]
    many = [{"contentId": str(n), "avgScore": float(n)} for n in range(12)]
    best, worst = many[::-1][:5], many[:5]
    assert split_top_and_weakest(best, worst) == (best, worst)


def test_my_progress_shows_no_score_for_unscored_content(
    client: TestClient,
    signed_in: Any,
    session: Session,
    settings: Any,
    teacher: Account,
    learner: Account,
    admin: Account,
    fixtures_dir: Any,
) -> None:
    package = fixtures_dir / "h5p" / "hub" / "H5P.MultiChoice.h5p"
    with package.open("rb") as handle:
        client.post(
            "/h5p/import",
            headers=admin.headers,
            files={"h5p": (package.name, handle, "application/zip")},
        )
    _owned(session, teacher, "survey", "Survey")
    _owned(session, teacher, "quiz", "Quiz")
    unscored = _statement(settings.base_url, learner, "survey", COMPLETED, 0.0)
    del unscored["result"]["score"], unscored["result"]["success"]
    scored = _statement(settings.base_url, learner, "quiz", COMPLETED, 0.0)
    for statement in (unscored, scored):
        stored = client.post("/api/xapi/statements", headers=learner.headers, json=statement)
        assert stored.status_code in (200, 201), stored.text
    page = signed_in(learner).get("/my-progress")
    assert page.status_code == 200
    rows = {
        row.split("</td>")[0]: row
        for row in page.text.split("<tr><td>")[1:]
        if row.startswith(("Survey", "Quiz"))
    }
    assert "<td>–</td><td>–</td>" in rows["Survey"]
    assert "<td>0 %</td><td>0 %</td>" in rows["Quiz"]
