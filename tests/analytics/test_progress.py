"""``/api/xapi/progress`` and ``/api/xapi/analytics/*`` on the dataset of conftest.py.

Hand-computed: learner 1 on "bio" has two completed attempts scoring 60 % then 90 %
(success on the second), durations PT1M + PT1M30.5S = 150.5 s; on "math" one answered
attempt of 3/4 = 75 % lasting PT2M.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.analytics.conftest import Dataset


def test_progress_on_one_content_is_computed_from_scores_and_durations(
    client: TestClient, dataset: Dataset
) -> None:
    response = client.get("/api/xapi/progress/bio", headers=dataset.l1.headers)
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "userId": dataset.l1.id,
            "contentId": "bio",
            "attempts": 2,
            "bestScore": 90.0,
            "lastScore": 90.0,
            "completed": True,
            "passed": True,
            "totalDuration": 150.5,
            "lastAttemptAt": f"{dataset.day(2)}T10:00:00.000Z",
            "message": None,
        },
    }


def test_progress_accepts_the_content_activity_iri(client: TestClient, dataset: Dataset) -> None:
    response = client.get(
        "/api/xapi/progress/http%3A%2F%2Ftestserver%2Fh5p%2Fcontent%2Fmath",
        headers=dataset.l1.headers,
    )
    assert response.json()["data"]["bestScore"] == 75.0


def test_progress_without_statements_says_so(client: TestClient, dataset: Dataset) -> None:
    data = client.get("/api/xapi/progress/math", headers=dataset.l2.headers).json()["data"]
    assert data["attempts"] == 0 and data["completed"] is False
    assert data["message"] == "No progress recorded yet"


def test_progress_list_holds_only_the_callers_content(client: TestClient, dataset: Dataset) -> None:
    progress = client.get("/api/xapi/progress", headers=dataset.l1.headers).json()["data"][
        "progress"
    ]
    assert [(p["contentId"], p["attempts"], p["bestScore"], p["lastScore"]) for p in progress] == [
        ("math", 1, 75.0, 75.0),
        ("bio", 2, 90.0, 90.0),
    ]
    assert {p["userId"] for p in progress} == {dataset.l1.id}
    math = progress[0]
    assert (math["completed"], math["passed"], math["totalDuration"]) == (False, False, 120.0)


def test_a_learner_never_sees_another_learners_progress(
    client: TestClient, dataset: Dataset
) -> None:
    progress = client.get("/api/xapi/progress", headers=dataset.l3.headers).json()["data"]
    assert [(p["userId"], p["contentId"]) for p in progress["progress"]] == [
        (dataset.l3.id, "math")
    ]


def test_progress_as_csv(client: TestClient, dataset: Dataset) -> None:
    response = client.get("/api/xapi/progress?format=csv", headers=dataset.l1.headers)
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().split("\r\n")
    assert lines[0] == (
        "userId,contentId,attempts,bestScore,lastScore,completed,passed,totalDuration,lastAttemptAt"
    )
    assert lines[2] == (
        f"{dataset.l1.id},bio,2,90.0,90.0,true,true,150.5,{dataset.day(2)}T10:00:00.000Z"
    )
    by_accept = client.get(
        "/api/xapi/progress", headers={**dataset.l1.headers, "Accept": "text/csv"}
    )
    assert by_accept.text == response.text


def test_user_summary_finds_strong_and_weak_areas(client: TestClient, dataset: Dataset) -> None:
    data = client.get("/api/xapi/analytics/user", headers=dataset.l1.headers).json()["data"]
    assert data == {
        "userId": dataset.l1.id,
        "totalContentsAttempted": 2,
        "totalContentsCompleted": 1,
        "averageScore": 82.5,  # best scores 90 and 75
        "strongAreas": ["bio"],
        "weakAreas": [],
        "learningTime": 270.5,
    }
    weak = client.get("/api/xapi/analytics/user", headers=dataset.l2.headers).json()["data"]
    assert weak["weakAreas"] == ["bio"]  # 40 %
    assert weak["strongAreas"] == ["other"]  # 100 %


def test_content_summary_averages_every_attempt(client: TestClient, dataset: Dataset) -> None:
    # Aggregates are the content's analytics: its owner reads them (issue 12 item 13).
    response = client.get("/api/xapi/analytics/content/bio", headers=dataset.teacher.headers)
    data = response.json()["data"]
    assert data == {
        "contentId": "bio",
        "totalAttempts": 3,
        "totalCompletions": 3,
        "averageScore": 63.33,  # (60 + 90 + 40) / 3
        "averageDuration": 60.167,  # (60 + 90.5 + 30) / 3
        "passRate": 33.33,  # one successful completion of three
        "lastUpdated": f"{dataset.day(1)}T10:00:00.000Z",
        "message": None,
    }


def test_content_summary_without_data(client: TestClient, dataset: Dataset) -> None:
    data = client.get("/api/xapi/analytics/content/none", headers=dataset.admin.headers).json()
    assert data["data"]["message"] == "No analytics data available yet"
    assert data["data"]["totalAttempts"] == 0


def test_progress_needs_a_token(client: TestClient) -> None:
    for path in ("/api/xapi/progress", "/api/xapi/progress/bio", "/api/xapi/analytics/user"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["success"] is False


def test_a_statement_voided_through_the_api_drops_out_of_progress(
    client: TestClient, dataset: Dataset
) -> None:
    stored = client.get("/api/xapi/statements?limit=50", headers=dataset.l3.headers).json()
    [only] = stored["data"]["statements"]
    voiding = {
        "actor": {"mbox": "mailto:ignored@example.test"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": only["id"]},
    }
    response = client.post("/api/xapi/statements", json=voiding, headers=dataset.l3.headers)
    assert response.status_code == 200, response.text
    progress = client.get("/api/xapi/progress", headers=dataset.l3.headers).json()["data"]
    assert progress["progress"] == []
    summary = client.get("/api/xapi/analytics/content/math", headers=dataset.teacher.headers).json()
    assert summary["data"]["totalAttempts"] == 1  # learner 1's attempt remains


def test_an_empty_content_id_is_a_400(client: TestClient, dataset: Dataset) -> None:
    response = client.get("/api/analytics/content/", headers=dataset.teacher.headers)
    assert response.status_code == 400
    assert response.json()["error"].startswith("Validation error")
