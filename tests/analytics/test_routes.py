"""``/api/analytics/*`` on the dataset of conftest.py, with hand-computed answers.

The teacher owns "bio" (topics Cells, Genetics) and "math" (no curriculum: its title
"Math Basics" is the topic); another teacher owns "other". Best scores: learner 1 has
bio 90, math 75; learner 2 bio 40 (and other 100); learner 3 math 30 ten days ago.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.config import Settings
from tests.analytics.conftest import Dataset, statement


def overview(client: TestClient, headers: dict[str, str], query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/analytics/class-overview{query}", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_class_overview_covers_the_teachers_content(client: TestClient, dataset: Dataset) -> None:
    data = overview(client, dataset.teacher.headers)
    assert data["totalStudents"] == 3
    assert data["activeThisWeek"] == 2  # learner 3 was last active ten days ago
    assert data["averageCompletionRate"] == 75.0  # 3 of 4 learner×content pairs completed
    assert data["topPerformingContent"] == [
        {"contentId": "bio", "title": "Cell Biology", "avgScore": 65.0},  # (90 + 40) / 2
        {"contentId": "math", "title": "Math Basics", "avgScore": 52.5},  # (75 + 30) / 2
    ]
    assert data["weakestTopics"] == [{"topic": "Math Basics", "avgScore": 52.5, "studentCount": 2}]
    assert data["topTopics"][:2] == [
        {"topic": "Cells", "avgScore": 65.0, "studentCount": 2},
        {"topic": "Genetics", "avgScore": 65.0, "studentCount": 2},
    ]
    heatmap = {day["date"]: day["activityCount"] for day in data["activityHeatmap"]}
    assert len(heatmap) == 30
    # Three statements three days ago, two the day after, three yesterday (learner 2's
    # statement on the other teacher's content is not counted), one ten days ago.
    assert {day: count for day, count in heatmap.items() if count} == {
        dataset.day(10): 1,
        dataset.day(3): 3,
        dataset.day(2): 2,
        dataset.day(1): 3,
    }


def test_class_overview_with_a_class_covers_its_members_and_content(
    client: TestClient, dataset: Dataset
) -> None:
    headers = dataset.teacher.headers
    class_id = client.post("/api/analytics/classes", json={"name": "7B"}, headers=headers).json()[
        "data"
    ]["id"]
    client.post(
        f"/api/analytics/classes/{class_id}/members",
        json={"userIds": [dataset.l1.id, dataset.l3.id]},
        headers=headers,
    )
    client.post(
        f"/api/analytics/classes/{class_id}/content", json={"contentIds": ["math"]}, headers=headers
    )
    data = overview(client, headers, f"?classId={class_id}")
    assert data["classId"] == class_id
    assert (data["totalStudents"], data["activeThisWeek"], data["averageCompletionRate"]) == (
        2,
        1,
        50.0,
    )
    assert data["topPerformingContent"] == [
        {"contentId": "math", "title": "Math Basics", "avgScore": 52.5}
    ]
    heatmap = {d["date"]: d["activityCount"] for d in data["activityHeatmap"] if d["activityCount"]}
    assert heatmap == {dataset.day(10): 1, dataset.day(1): 1}


def test_class_overview_of_another_teachers_class_is_403(
    client: TestClient, dataset: Dataset
) -> None:
    class_id = client.post(
        "/api/analytics/classes", json={"name": "mine"}, headers=dataset.teacher.headers
    ).json()["data"]["id"]
    response = client.get(
        f"/api/analytics/class-overview?classId={class_id}", headers=dataset.other_teacher.headers
    )
    assert response.status_code == 403
    admin = client.get(
        f"/api/analytics/class-overview?classId={class_id}", headers=dataset.admin.headers
    )
    assert admin.status_code == 200


def test_class_overview_is_for_teachers(client: TestClient, dataset: Dataset) -> None:
    response = client.get("/api/analytics/class-overview", headers=dataset.l1.headers)
    assert response.status_code == 403


def test_dashboard_endpoints_need_the_analytics_feature(
    client: TestClient, dataset: Dataset, session: Session
) -> None:
    teacher = session.get(User, dataset.teacher.id)
    assert teacher is not None
    teacher.plan_id = "free"
    session.commit()
    for path in (
        "/api/analytics/class-overview",
        "/api/analytics/content/bio",
        f"/api/analytics/student/{dataset.l1.id}",
    ):
        response = client.get(path, headers=dataset.teacher.headers)
        assert response.status_code == 403
        assert response.json() == {"success": False, "error": "Feature not available"}


def test_content_detail_breaks_down_questions(client: TestClient, dataset: Dataset) -> None:
    response = client.get("/api/analytics/content/bio", headers=dataset.teacher.headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert {
        key: data[key] for key in data if key not in ("questionBreakdown", "scoreDistribution")
    } == {
        "contentId": "bio",
        "title": "Cell Biology",
        "totalAttempts": 3,
        "uniqueStudents": 2,
        "averageScore": 63.33,
        "completionRate": 100.0,
        "averageDuration": 60.167,
    }
    assert data["questionBreakdown"] == [
        # q1: learner 1 wrong then right, learner 2 right → 2 of 3, 3 answers by 2 learners
        {
            "questionId": "q1",
            "activityId": "http://testserver/h5p/content/bio?subContentId=q1",
            "answered": 3,
            "correctRate": 66.67,
            "avgAttempts": 1.5,
        },
        {
            "questionId": "q2",
            "activityId": "http://testserver/h5p/content/bio?subContentId=q2",
            "answered": 1,
            "correctRate": 100.0,
            "avgAttempts": 1.0,
        },
    ]
    buckets = {b["range"]: b["students"] for b in data["scoreDistribution"] if b["students"]}
    assert buckets == {"40-49": 1, "90-100": 1}


def test_content_detail_csv_lists_the_questions(client: TestClient, dataset: Dataset) -> None:
    response = client.get(
        "/api/analytics/content/bio", headers={**dataset.teacher.headers, "Accept": "text/csv"}
    )
    assert response.text.split("\r\n")[:2] == [
        "questionId,activityId,answered,correctRate,avgAttempts",
        "q1,http://testserver/h5p/content/bio?subContentId=q1,3,66.67,1.5",
    ]


def test_content_detail_by_role(client: TestClient, dataset: Dataset) -> None:
    assert (
        client.get("/api/analytics/content/bio", headers=dataset.admin.headers).status_code == 200
    )
    for account in (dataset.other_teacher, dataset.l1):
        response = client.get("/api/analytics/content/bio", headers=account.headers)
        assert response.status_code == 403


def test_student_detail_for_the_teacher(client: TestClient, dataset: Dataset) -> None:
    response = client.get(
        f"/api/analytics/student/{dataset.l1.id}", headers=dataset.teacher.headers
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["studentId"] == dataset.l1.id
    assert data["displayName"] == "Lena One"
    assert data["overallScore"] == 82.5
    assert data["completedActivities"] == 1
    assert data["topicPerformance"] == [
        {"topic": "Cells", "score": 90.0},
        {"topic": "Genetics", "score": 90.0},
        {"topic": "Math Basics", "score": 75.0},
    ]
    recent = data["recentActivity"]
    assert len(recent) == 6
    assert recent[0]["object"]["id"] == "http://testserver/h5p/content/math"
    assert [s["timestamp"][:10] for s in recent] == sorted(
        (s["timestamp"][:10] for s in recent), reverse=True
    )


def test_student_detail_shows_a_teacher_only_their_content(
    client: TestClient, dataset: Dataset
) -> None:
    mine = client.get(
        f"/api/analytics/student/{dataset.l2.id}", headers=dataset.teacher.headers
    ).json()["data"]
    assert [c["contentId"] for c in mine["contents"]] == ["bio"]
    assert mine["overallScore"] == 40.0
    assert {s["object"]["id"].split("/")[-1] for s in mine["recentActivity"]} == {
        "bio",
        "bio?subContentId=q1",
    }
    theirs = client.get(
        f"/api/analytics/student/{dataset.l2.id}", headers=dataset.other_teacher.headers
    ).json()["data"]
    assert [c["contentId"] for c in theirs["contents"]] == ["other"]


def test_student_detail_by_role(client: TestClient, dataset: Dataset) -> None:
    path = f"/api/analytics/student/{dataset.l1.id}"
    assert client.get(path, headers=dataset.other_teacher.headers).status_code == 403
    assert client.get(path, headers=dataset.l2.headers).status_code == 403
    assert client.get(path, headers=dataset.l1.headers).status_code == 200  # themselves
    admin = client.get(path, headers=dataset.admin.headers).json()["data"]
    assert admin["completedActivities"] == 1 and len(admin["contents"]) == 2


def test_a_class_makes_its_members_visible_to_its_teacher(
    client: TestClient, dataset: Dataset
) -> None:
    headers = dataset.other_teacher.headers
    path = f"/api/analytics/student/{dataset.l3.id}"
    assert client.get(path, headers=headers).status_code == 403
    class_id = client.post("/api/analytics/classes", json={"name": "B"}, headers=headers).json()[
        "data"
    ]["id"]
    client.post(
        f"/api/analytics/classes/{class_id}/members",
        json={"userIds": [dataset.l3.id]},
        headers=headers,
    )
    assert client.get(path, headers=headers).status_code == 200
    in_class = client.get(f"{path}?classId={class_id}", headers=headers)
    assert in_class.status_code == 200
    not_member = client.get(
        f"/api/analytics/student/{dataset.l1.id}?classId={class_id}", headers=headers
    )
    assert not_member.status_code == 403


def test_student_detail_csv_tables(client: TestClient, dataset: Dataset) -> None:
    path = f"/api/analytics/student/{dataset.l1.id}?format=csv"
    topics = client.get(path + "&table=topics", headers=dataset.teacher.headers).text
    assert topics.split("\r\n")[:2] == ["topic,score", "Cells,90.0"]
    recent = client.get(path + "&table=recent", headers=dataset.teacher.headers).text
    assert len(recent.strip().split("\r\n")) == 7


def test_touching_another_teachers_content_does_not_open_its_learners(
    client: TestClient, dataset: Dataset, settings: Settings
) -> None:
    headers = dataset.other_teacher.headers
    touch = statement(settings.base_url, "x", "attempted", "bio")
    assert client.post("/api/xapi/statements", json=touch, headers=headers).status_code == 200
    assert client.get(f"/api/analytics/student/{dataset.l1.id}", headers=headers).status_code == 403
    assert client.get("/api/analytics/content/bio", headers=headers).status_code == 403
    assert overview(client, headers)["totalStudents"] == 1  # learner 2, on "other"


def test_touched_unowned_content_is_in_the_teachers_scope(
    client: TestClient, dataset: Dataset, settings: Settings
) -> None:
    """The reference's scope: content the teacher interacted with, here content no one owns."""
    for account in (dataset.teacher, dataset.l3):
        legacy = statement(
            settings.base_url, "x", "completed", "legacy", result={"score": {"scaled": 0.5}}
        )
        client.post("/api/xapi/statements", json=legacy, headers=account.headers)
    data = overview(client, dataset.teacher.headers)
    assert "legacy" in {c["contentId"] for c in data["topPerformingContent"]}
