"""Statement comparison for repeated ids (xAPI-Data 2.3.1) and the index entries of a statement."""

from __future__ import annotations

from learnloop.xapi.statement_shapes import (
    index_entries,
    parse_accept_language,
    pick_language,
    same_statement,
)

BASE = {
    "actor": {"mbox": "mailto:a@example.com"},
    "verb": {"id": "http://e.com/v", "display": {"en": "did"}},
    "object": {"id": "http://e.com/a", "definition": {"name": {"en": "A"}}},
}


def test_differences_the_lrs_may_cause_are_ignored():
    stored = {
        **BASE,
        "id": "x",
        "stored": "2024-01-01T00:00:00Z",
        "timestamp": "2024-01-01T00:00:00Z",
        "authority": {"mbox": "mailto:lrs@example.com"},
        "version": "1.0.0",
        "context": {"contextActivities": {"parent": [{"id": "http://e.com/p"}]}},
    }
    received = {
        **BASE,
        "actor": {"mbox": "mailto:a@EXAMPLE.com"},
        "verb": {"id": "http://e.com/v"},
        "object": {"id": "http://e.com/a"},
        "context": {"contextActivities": {"parent": {"id": "http://e.com/p"}}},
    }
    assert same_statement(stored, received)
    assert same_statement(stored, {**received, "timestamp": "2024-01-01T01:00:00+01:00"})


def test_real_differences_count():
    assert not same_statement(BASE, {**BASE, "result": {"success": True}})
    assert not same_statement(BASE, {**BASE, "actor": {"mbox": "mailto:b@example.com"}})
    assert not same_statement(
        {**BASE, "timestamp": "2024-01-01T00:00:00Z"}, {**BASE, "timestamp": "2024-01-02T00:00:00Z"}
    )
    # Result Duration is compared as a string (xAPI-Data 2.3.1).
    assert not same_statement(
        {**BASE, "result": {"duration": "PT60S"}}, {**BASE, "result": {"duration": "PT1M"}}
    )


def test_index_entries_separate_direct_and_related_agents():
    statement = {
        **BASE,
        "authority": {"mbox": "mailto:lrs@example.com"},
        "context": {
            "instructor": {"mbox": "mailto:t@example.com"},
            "contextActivities": {"grouping": [{"id": "http://e.com/course"}]},
        },
    }
    agents, activities = index_entries(statement)
    assert ("mbox:mailto:a@example.com", True) in agents
    assert ("mbox:mailto:t@example.com", False) in agents
    assert ("mbox:mailto:lrs@example.com", False) in agents
    assert activities == {"http://e.com/a", "http://e.com/course"}


def test_accept_language_preferences_and_fallbacks():
    assert parse_accept_language("fr;q=0.5, de, en;q=0.8") == ["de", "en", "fr"]
    names = {"en-US": "Quiz", "de-DE": "Prüfung"}
    assert pick_language(names, ["de"]) == {"de-DE": "Prüfung"}
    assert pick_language(names, ["ja"]) == {"en-US": "Quiz"}
    assert pick_language(names, []) == {"en-US": "Quiz"}
