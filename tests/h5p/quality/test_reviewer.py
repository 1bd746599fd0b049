"""The optional LLM reviewer against a local OpenAI-compatible endpoint: off by default,
adds marked suggestions when configured, never required."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from learnloop.main import create_app
from tests.h5p.quality.chat_server import ChatState, serve_chat

ANSWER = json.dumps(
    {
        "suggestions": [
            {"field": "answers[2].text", "message": "Use a colour a learner might confuse."},
            {"message": 42},
        ]
    }
)


@pytest.fixture(scope="module")
def chat() -> Iterator[tuple[ChatState, str]]:
    state = ChatState()
    with serve_chat(state) as url:
        yield state, url


@pytest.fixture
def chat_state(chat) -> ChatState:
    state: ChatState
    state, _url = chat
    state.answer, state.status = ANSWER, 200
    state.requests.clear()
    state.authorizations.clear()
    return state


@pytest.fixture
def reviewing_client(settings, database, storage, chat, chat_state) -> Iterator[TestClient]:
    _state, url = chat
    configured = settings.model_copy(
        update={
            "h5p_quality_llm_url": url,
            "h5p_quality_llm_model": "local-reviewer",
            "h5p_quality_llm_api_key": "sk-test",
        }
    )
    app = create_app(configured, database=database, storage=storage)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _report(client, headers, content_id) -> dict[str, Any]:
    response = client.get(f"/h5p/content/{content_id}/quality", headers=headers)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()["data"]["qualityReport"]
    return report


def test_the_reviewer_adds_marked_suggestions_and_leaves_the_scores(
    reviewing_client, teacher, multichoice, chat_state
):
    report = _report(reviewing_client, teacher.headers, multichoice)

    assert report["llm"] == {"model": "local-reviewer", "status": "ok", "suggestions": 1}
    assert {
        "category": "llm",
        "field": "answers[2].text",
        "message": "Use a colour a learner might confuse.",
        "source": "llm",
    } in report["suggestions"]
    critic = [s for s in report["suggestions"] if s["source"] == "critic"]
    assert len(critic) == 2
    assert report["overallScore"] == 80
    [request] = chat_state.requests
    assert request["model"] == "local-reviewer"
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    user = json.loads(request["messages"][1]["content"])
    assert user["contentType"] == "H5P.MultiChoice"
    assert "Add feedback for incorrect answers (why they are wrong)" in user["criticFindings"]
    assert chat_state.authorizations == ["Bearer sk-test"]

    # Cached with the content version: asked once.
    assert _report(reviewing_client, teacher.headers, multichoice) == report
    assert len(chat_state.requests) == 1


@pytest.mark.parametrize(
    ("status", "answer", "error"),
    [
        (503, "", "the reviewer answered 503"),
        (200, "not json at all", "the reviewer did not answer JSON"),
        (200, '{"advice": "none"}', "the reviewer's JSON has no suggestions list"),
    ],
)
def test_an_unavailable_reviewer_is_noted_and_the_report_still_answers(
    reviewing_client, teacher, multichoice, chat_state, status, answer, error
):
    chat_state.status, chat_state.answer = status, answer

    report = _report(reviewing_client, teacher.headers, multichoice)

    assert report["llm"] == {"model": "local-reviewer", "status": "unavailable", "error": error}
    assert all(s["source"] == "critic" for s in report["suggestions"])
    assert report["overallScore"] == 80

    # Back again: the next read asks it.
    chat_state.status, chat_state.answer = 200, ANSWER
    assert _report(reviewing_client, teacher.headers, multichoice)["llm"]["status"] == "ok"


def test_the_reviewer_is_off_by_default(client, teacher, multichoice, chat_state):
    report = _report(client, teacher.headers, multichoice)
    assert "llm" not in report
    assert chat_state.requests == []
