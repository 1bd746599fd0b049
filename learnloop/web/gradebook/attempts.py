"""The attempt report: for one learner and one content item, each question as the
learner saw it — its text, the learner's response, the correct response and the result.

Everything comes from the learner's stored ``answered`` statements about the content
and its sub-content (xAPI 1.0.3 §2.4.4.1, interaction activities): the question text is
the activity definition's ``description`` (H5P puts the question there) or its ``name``;
responses and ``correctResponsesPattern`` are turned from choice/source/target/scale ids
into those components' descriptions, so the report shows words, not internal ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.models import StatementFact
from learnloop.xapi.models import StatementRow

TAG = re.compile(r"<[^>]+>")
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([?.!,;:])")
# H5P prefixes patterns with options such as {case_matters=false} (xAPI §2.4.4.1.1).
PATTERN_OPTIONS = re.compile(r"^(\{[a-z_]+=[^}]*\})+")
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
BLANK = "__________"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@dataclass(frozen=True)
class AnsweredQuestion:
    question: str
    interaction_type: str
    response: str
    correct_response: str
    success: bool | None
    score: str
    answered_at: datetime


def language_text(value: Any) -> str:
    """The English (or first) text of a language map, without HTML markup."""
    if not isinstance(value, Mapping) or not value:
        return ""
    text = value.get("en-US") or value.get("en") or next(iter(value.values()))
    plain = " ".join(unescape(TAG.sub(" ", str(text))).split())
    return SPACE_BEFORE_PUNCTUATION.sub(r"\1", plain)


def component_labels(definition: Mapping[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for list_name in COMPONENT_LISTS:
        for component in definition.get(list_name) or []:
            if isinstance(component, Mapping) and "id" in component:
                labels[str(component["id"])] = language_text(component.get("description"))
    return labels


def readable_response(value: str, interaction_type: str, labels: Mapping[str, str]) -> str:
    """``0[,]2`` → ``Paris, Rome``; ``1[.]0[,]2[.]1`` → ``Cat → Animal; …``."""
    value = PATTERN_OPTIONS.sub("", value)
    if value == "":
        return "(no answer)"
    parts = value.split("[,]")
    if interaction_type in ("matching", "sequencing") or "[.]" in value:
        pairs = []
        for part in parts:
            source, _, target = part.partition("[.]")
            left = labels.get(source, source)
            pairs.append(f"{left} → {labels.get(target, target)}" if target else left)
        return "; ".join(pairs)
    if interaction_type in ("choice", "likert", "true-false"):
        return ", ".join(labels.get(part, part) for part in parts)
    return ", ".join(parts)


def _score(result: Mapping[str, Any]) -> str:
    score = result.get("score")
    if not isinstance(score, Mapping):
        return ""
    raw, maximum = score.get("raw"), score.get("max")
    if isinstance(raw, int | float) and isinstance(maximum, int | float) and maximum:
        return f"{raw:g} / {maximum:g}"
    scaled = score.get("scaled")
    return f"{round(float(scaled) * 100)} %" if isinstance(scaled, int | float) else ""


def answered_question(statement: Mapping[str, Any], answered_at: datetime) -> AnsweredQuestion:
    activity = statement.get("object") or {}
    definition = activity.get("definition") or {}
    result = statement.get("result") or {}
    interaction_type = str(definition.get("interactionType") or "")
    labels = component_labels(definition)
    question = language_text(definition.get("description")) or language_text(definition.get("name"))
    patterns = definition.get("correctResponsesPattern") or []
    response = result.get("response")
    return AnsweredQuestion(
        question=(question or "Question").replace(BLANK, "___"),
        interaction_type=interaction_type,
        response=readable_response(str(response), interaction_type, labels)
        if isinstance(response, str)
        else "(no answer)",
        correct_response=readable_response(str(patterns[0]), interaction_type, labels)
        if patterns
        else "–",
        success=result.get("success") if isinstance(result.get("success"), bool) else None,
        score=_score(result),
        answered_at=answered_at,
    )


def attempt_report(session: Session, learner_id: str, content_id: str) -> list[AnsweredQuestion]:
    """The learner's latest answer to each question of the content, in question order."""
    rows = session.execute(
        select(StatementFact.question_id, StatementRow.statement, StatementFact.timestamp)
        .join(StatementRow, StatementRow.seq == StatementFact.seq)
        .where(
            StatementFact.learner_id == learner_id,
            StatementFact.content_id == content_id,
            StatementRow.verb_id == ANSWERED,
            StatementRow.voided.is_(False),
        )
        .order_by(StatementFact.seq)
    ).all()
    latest: dict[str | None, tuple[Mapping[str, Any], datetime]] = {}
    for question_id, statement, timestamp in rows:
        latest.pop(question_id, None)
        latest[question_id] = (statement, timestamp)
    # A compound content's own "answered" (its total) is not a question when it has parts.
    if len(latest) > 1:
        latest.pop(None, None)
    return [answered_question(statement, moment) for statement, moment in latest.values()]
