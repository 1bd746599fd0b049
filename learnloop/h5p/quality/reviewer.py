"""The optional LLM reviewer: an OpenAI-compatible chat-completions endpoint set by
configuration (off by default) that may add suggestions to the critic's report.

It never changes the critic's scores; its suggestions carry ``"source": "llm"`` and the
report's ``llm`` section says which model answered, or why it did not.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import httpx

from learnloop.config import Settings

MAX_PROMPT_CHARS = 20_000
MAX_SUGGESTIONS = 10
MAX_MESSAGE_CHARS = 500
SYSTEM_PROMPT = (
    "You review H5P learning content for teachers. You get the content type, its "
    "parameters (JSON) and an automatic critic's findings. Answer only with a JSON object "
    '{"suggestions": [{"field": "<path in the parameters>", "message": "<one concrete '
    'improvement>"}]} with at most 5 suggestions the critic did not already make.'
)


class ReviewerUnavailable(Exception):
    pass


class QualityReviewer(Protocol):
    model: str

    def suggestions(
        self, machine_name: str, params: dict[str, Any], findings: list[str]
    ) -> list[dict[str, str]]: ...


class ChatCompletionsReviewer:
    def __init__(self, http: httpx.Client, base_url: str, model: str, api_key: str) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._api_key = api_key

    def _ask(self, machine_name: str, params: dict[str, Any], findings: list[str]) -> str:
        content = json.dumps(
            {"contentType": machine_name, "params": params, "criticFindings": findings}
        )[:MAX_PROMPT_CHARS]
        body = {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": content},
            ],
        }
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            response = self._http.post(self._url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ReviewerUnavailable(f"the reviewer is unreachable ({exc})") from exc
        if response.status_code != 200:
            raise ReviewerUnavailable(f"the reviewer answered {response.status_code}")
        try:
            answer = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ReviewerUnavailable("the reviewer's answer is not a chat completion") from exc
        if not isinstance(answer, str):
            raise ReviewerUnavailable("the reviewer's answer has no text")
        return answer

    def suggestions(
        self, machine_name: str, params: dict[str, Any], findings: list[str]
    ) -> list[dict[str, str]]:
        answer = self._ask(machine_name, params, findings)
        try:
            document = json.loads(answer)
        except ValueError as exc:
            raise ReviewerUnavailable("the reviewer did not answer JSON") from exc
        items = document.get("suggestions") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise ReviewerUnavailable("the reviewer's JSON has no suggestions list")
        found: list[dict[str, str]] = []
        for item in items[:MAX_SUGGESTIONS]:
            if isinstance(item, dict) and isinstance(item.get("message"), str):
                field = item.get("field")
                found.append(
                    {
                        "field": field[:300] if isinstance(field, str) else "",
                        "message": item["message"][:MAX_MESSAGE_CHARS],
                    }
                )
        return found


def build_reviewer(settings: Settings, http: httpx.Client) -> QualityReviewer | None:
    if not settings.h5p_quality_llm_url or not settings.h5p_quality_llm_model:
        return None
    return ChatCompletionsReviewer(
        http,
        settings.h5p_quality_llm_url,
        settings.h5p_quality_llm_model,
        settings.h5p_quality_llm_api_key,
    )
