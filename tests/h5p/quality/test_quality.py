"""Quality reports of real hub content, with expectations checked by hand against the
params of the fixtures in ../shared/fixtures/h5p/hub."""

from __future__ import annotations

import copy
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from learnloop.h5p.quality.critic import review_content
from learnloop.h5p.quality.models import QualityReport
from tests.h5p.conftest import teacher_import

FEEDBACK_MISSING_WRONG = "Add feedback for incorrect answers (why they are wrong)"
FEEDBACK_MISSING_RIGHT = "Add feedback for the correct answer (why it is right)"


def _params(hub_dir, name: str) -> dict[str, Any]:
    with zipfile.ZipFile(hub_dir / f"{name}.h5p") as archive:
        params: dict[str, Any] = json.loads(archive.read("content/content.json"))
    return params


def _quality(client, headers, content_id):
    response = client.get(f"/h5p/content/{content_id}/quality", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_a_multichoice_without_feedback_gets_that_improvement(client, teacher, multichoice):
    data = _quality(client, teacher.headers, multichoice)

    assert data["contentId"] == multichoice
    report = data["qualityReport"]
    # "What color does the blackcurrant berry actually have?": 8 words, no negation.
    # Answers "Very dark purple" (correct), "Blue", "Black": two distinct distractors.
    # Every tipsAndFeedback.chosenFeedback is "": no feedback either way (-10 each).
    # The image has alt "Blackcurrants".
    assert report["overallScore"] == 80
    assert report["accessibilityScore"] == 100
    assert report["bloomsLevel"] == "Remember"
    assert report["improvements"] == [FEEDBACK_MISSING_RIGHT, FEEDBACK_MISSING_WRONG]
    assert {
        "category": "feedback",
        "field": "answers[1].tipsAndFeedback.chosenFeedback",
        "message": FEEDBACK_MISSING_WRONG,
        "source": "critic",
    } in report["suggestions"]
    assert "Clear question stem" in report["strengths"]
    assert "Distinct, plausible distractors" in report["strengths"]
    assert "Images have alt text" in report["strengths"]
    assert data["generatedAt"].endswith("Z")


def test_the_report_is_cached_per_version_and_made_again_after_an_update(
    client, teacher, multichoice, session
):
    first = _quality(client, teacher.headers, multichoice)
    again = _quality(client, teacher.headers, multichoice)
    assert again == first
    assert session.get(QualityReport, multichoice) is not None

    params = {
        "question": "<p>Which of these is <strong>not</strong> a berry?</p>",
        "answers": [
            {
                "text": "<div>Banana</div>",
                "correct": False,
                "tipsAndFeedback": {"chosenFeedback": "<div>Bananas are berries.</div>"},
            },
            {
                "text": "<div>Strawberry</div>",
                "correct": True,
                "tipsAndFeedback": {"chosenFeedback": "<div>Right: an aggregate fruit.</div>"},
            },
            {"text": "<div>A strawberry</div>", "correct": False},
        ],
    }
    updated = client.put(
        f"/h5p/content/{multichoice}",
        headers=teacher.headers,
        json={"library": "H5P.MultiChoice 1.14", "params": params},
    )
    assert updated.status_code == 200, updated.text

    report = _quality(client, teacher.headers, multichoice)["qualityReport"]
    assert report != first["qualityReport"]
    assert FEEDBACK_MISSING_WRONG not in report["improvements"]
    assert "Feedback for right and wrong answers" in report["strengths"]
    assert "Word the question positively (it says not)" in report["improvements"]
    assert 'Answers "Strawberry" and "A strawberry" are nearly the same' in report["improvements"]


def test_the_content_list_carries_each_items_quality_summary(client, teacher, multichoice):
    response = client.get("/h5p/content", headers=teacher.headers)

    assert response.status_code == 200
    [item] = response.json()["data"]
    assert item["quality"] == {"overallScore": 80, "bloomsLevel": "Remember"}


def test_the_report_goes_with_its_content(client, teacher, multichoice, session):
    _quality(client, teacher.headers, multichoice)
    assert client.delete(f"/h5p/content/{multichoice}", headers=teacher.headers).status_code == 200
    session.expire_all()
    assert session.scalars(select(QualityReport)).all() == []


def test_who_may_read_the_report(client, teacher, learner, make_account, multichoice):
    other_teacher = make_account("teacher")
    assert client.get(f"/h5p/content/{multichoice}/quality").status_code == 401
    # Someone else's private content does not exist for them.
    for account in (learner, other_teacher):
        response = client.get(f"/h5p/content/{multichoice}/quality", headers=account.headers)
        assert response.status_code == 404
    client.patch(
        f"/h5p/content/{multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    assert (
        client.get(f"/h5p/content/{multichoice}/quality", headers=learner.headers).status_code
        == 200
    )
    assert client.get("/h5p/content/nope/quality", headers=teacher.headers).status_code == 404
    assert client.get("/h5p/content/a.b/quality", headers=teacher.headers).status_code in (
        400,
        404,
    )


def test_flashcards_without_alt_text_lose_accessibility(client, admin, teacher, hub_dir):
    imported = teacher_import(
        client, admin.headers, teacher.headers, hub_dir / "H5P.Flashcards.h5p"
    )
    content_id = imported.json()["data"]["contentId"]

    report = _quality(client, teacher.headers, content_id)["qualityReport"]

    # Five cards, each an image whose imageAltText is missing: counted twice at most.
    fields = [s["field"] for s in report["suggestions"] if s["category"] == "accessibility"]
    assert fields == [f"cards[{index}].imageAltText" for index in range(5)]
    assert report["accessibilityScore"] == 60
    assert report["improvements"] == [
        "Add alt text to the image (what a screen reader says instead)"
    ]


# --- the critic on its own (pure function of library, params and language) --------------


def test_true_false_feedback_fields_are_named(hub_dir):
    report = review_content("H5P.TrueFalse", _params(hub_dir, "H5P.TrueFalse"), "en")
    # "Oslo is the capital of Norway." has no behaviour.feedbackOnCorrect/OnWrong.
    fields = {s["field"] for s in report["suggestions"]}
    assert fields == {"behaviour.feedbackOnCorrect", "behaviour.feedbackOnWrong"}
    assert report["overallScore"] == 80


def test_question_set_reviews_its_questions_with_their_own_rules(hub_dir):
    report = review_content("H5P.QuestionSet", _params(hub_dir, "H5P.QuestionSet"), "en")
    # Its first question is an empty MultiChoice (no text, no correct answer).
    fields = [s["field"] for s in report["suggestions"]]
    assert "questions[0].params.question" in fields
    assert {
        "category": "distractors",
        "field": "questions[0].params.answers",
        "message": "Mark at least one answer as correct",
        "source": "critic",
    } in report["suggestions"]


def test_too_few_distractors_and_a_giveaway_answer(hub_dir):
    params = copy.deepcopy(_params(hub_dir, "H5P.MultiChoice"))
    params["answers"] = params["answers"][:2]
    report = review_content("H5P.MultiChoice", params, "en")
    assert any(
        s["field"] == "answers" and s["message"].startswith("Add plausible distractors")
        for s in report["suggestions"]
    )

    params["answers"] = [
        {"text": "The deep purple colour of ripe fruit in late summer", "correct": True},
        {"text": "Blue", "correct": False},
        {"text": "Red", "correct": False},
    ]
    report = review_content("H5P.MultiChoice", params, "en")
    assert any("gives it away" in message for message in report["improvements"])


@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("<p>Name the capital of Norway.</p>", "Remember"),
        ("<p>Explain why berries ripen in summer.</p>", "Understand"),
        ("<p>Calculate the yield of this field of berries.</p>", "Apply"),
        ("<p>Justify the choice of this berry for a jam.</p>", "Evaluate"),
    ],
)
def test_blooms_level_follows_the_verbs_of_the_task(question, level):
    params = {"question": question, "answers": [{"text": "a", "correct": True}]}
    assert review_content("H5P.MultiChoice", params, "en")["bloomsLevel"] == level


def test_an_essay_is_a_creating_task_and_readability_is_english_only(hub_dir):
    params = _params(hub_dir, "H5P.Essay")
    english = review_content("H5P.Essay", params, "en")
    assert english["bloomsLevel"] == "Create"
    assert english["readability"]["supported"] is True
    assert isinstance(english["readability"]["fleschReadingEase"], float)
    norwegian = review_content("H5P.Essay", params, "nb")
    assert norwegian["readability"] == {
        "language": "nb",
        "supported": False,
        "fleschReadingEase": None,
    }


def test_a_video_without_captions_gets_that_improvement():
    video = {
        "library": "H5P.Video 1.6",
        "params": {"sources": [{"path": "videos/a.mp4", "mime": "video/mp4"}], "a11y": []},
    }
    report = review_content("H5P.Column", {"content": [{"content": video}]}, "en")
    assert {
        "category": "accessibility",
        "field": "content[0].content.params.a11y",
        "message": "Add a captions track to the video (WCAG 2.1 SC 1.2.2)",
        "source": "critic",
    } in report["suggestions"]
    assert report["accessibilityScore"] == 75


def test_the_critic_is_deterministic(hub_dir):
    params = _params(hub_dir, "H5P.SingleChoiceSet")
    assert review_content("H5P.SingleChoiceSet", params, "en") == review_content(
        "H5P.SingleChoiceSet", copy.deepcopy(params), "en"
    )
