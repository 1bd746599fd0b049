"""How the dashboard pages present the analytics answers to a person (the API keeps
its shapes): questions named by their text, completion counted against what was
assigned, and "top" and "weakest" content that are never the same items."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.analytics.models import LearnerClass
from learnloop.web.assignments.status import Status
from learnloop.web.gradebook.attempts import language_text
from learnloop.web.gradebook.grid import gradebook
from learnloop.xapi.activity_models import XapiActivity


def question_labels(session: Session, activity_ids: Iterable[str]) -> dict[str, str]:
    """Activity id → the question's text (its definition's description, else its name),
    from the definitions the LRS keeps (xAPI 1.0.3 §2.4.4.1); ids without one are left
    out, so the caller falls back to the id."""
    by_hash = {hashlib.sha256(a.encode("utf-8")).hexdigest(): a for a in activity_ids}
    if not by_hash:
        return {}
    labels: dict[str, str] = {}
    for id_hash, definition in session.execute(
        select(XapiActivity.id_hash, XapiActivity.definition).where(
            XapiActivity.id_hash.in_(by_hash)
        )
    ):
        text = language_text((definition or {}).get("description")) or language_text(
            (definition or {}).get("name")
        )
        if text:
            labels[by_hash[id_hash]] = text
    return labels


def split_top_and_weakest(
    top: Sequence[dict[str, Any]], weakest: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """With few items the API's two lists are the same items in reverse order; a page
    shows each item once: the better half as top, the rest (weakest first) as weakest."""
    everything = {item["contentId"]: item for item in [*top, *weakest]}
    if len(everything) >= len(top) + len(weakest):
        return list(top), list(weakest)
    ranked = sorted(everything.values(), key=lambda item: (-item["avgScore"], item["contentId"]))
    cut = (len(ranked) + 1) // 2
    return ranked[:cut], list(reversed(ranked[cut:]))


def assigned_completion_rate(session: Session, learner_class: LearnerClass) -> float | None:
    """Completed (learner, assigned item) pairs over all pairs of the class, in percent;
    None when the class has no learners or nothing assigned."""
    book = gradebook(session, learner_class)
    pairs = list(book.cells.values())
    if not pairs:
        return None
    done = sum(1 for cell in pairs if cell.status in (Status.COMPLETED, Status.PASSED))
    return done * 100 / len(pairs)
