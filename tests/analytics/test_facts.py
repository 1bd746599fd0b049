from datetime import UTC, datetime
from typing import Any

import pytest

from learnloop.analytics.activities import content_activity
from learnloop.analytics.facts import fact_from_statement, score_percent

MOMENT = datetime(2026, 11, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "percent"),
    [
        ({"scaled": 0.85, "raw": 1, "max": 100}, 85.0),  # scaled wins
        ({"raw": 3, "max": 4}, 75.0),
        ({"raw": 6, "min": 2, "max": 10}, 50.0),
        ({"scaled": 0}, 0.0),
        ({"raw": 3}, None),
        ({"raw": 3, "max": 0}, None),
        ({"raw": True, "max": 1}, None),
        ("0.5", None),
    ],
)
def test_score_percentages(score: Any, percent: float | None) -> None:
    assert score_percent(score) == percent


def test_content_and_question_come_from_the_activity_id() -> None:
    assert content_activity("https://x.org/h5p/content/abc") is not None
    question = content_activity("https://x.org/base/h5p/content/abc?subContentId=q-1")
    assert question is not None and (question.content_id, question.question_id) == ("abc", "q-1")
    assert content_activity("https://x.org/h5p/library/abc") is None
    assert content_activity("https://x.org/h5p/content/") is None


def doc(verb: str, activity: str, result: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": "ABC",
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {"id": f"http://h/h5p/content/{activity}"},
    }
    if result is not None:
        statement["result"] = result
    return statement


def test_a_sub_question_answer_is_an_answer_not_an_attempt() -> None:
    fact = fact_from_statement(
        1,
        doc("answered", "c?subContentId=q", {"success": True, "score": {"scaled": 1}}),
        "u",
        MOMENT,
    )
    assert fact is not None
    assert (fact.is_attempt, fact.is_answer, fact.is_correct, fact.score_milli) == (
        False,
        True,
        True,
        None,
    )
    assert fact.statement_id == "abc"


def test_passed_is_a_successful_completion_attempt() -> None:
    fact = fact_from_statement(1, doc("passed", "c", {"duration": "PT2S"}), "u", MOMENT)
    assert fact is not None
    assert (fact.is_attempt, fact.is_completion, fact.is_success, fact.duration_ms) == (
        True,
        True,
        True,
        2000,
    )


def test_interacted_counts_as_activity_only() -> None:
    fact = fact_from_statement(1, doc("interacted", "c"), "u", MOMENT)
    assert fact is not None
    assert not (fact.is_attempt or fact.is_completion or fact.is_answer)
