"""Plain-text measures the critic uses: HTML to words, syllables, reading ease, negatives,
and how alike two answers are."""

from __future__ import annotations

import html
import re
from difflib import SequenceMatcher

TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
VOWEL_GROUPS = re.compile(r"[aeiouy]+")
# Negative wording in a question stem makes it harder to read correctly (item-writing
# guidelines, Haladyna, Downing & Rodriguez 2002, rule 17: "word the stem positively").
NEGATIVES = re.compile(
    r"\b(not|never|no|none|except|cannot|can't|isn't|aren't|doesn't|don't|won't|false)\b",
    re.IGNORECASE,
)
# The H5P placeholder of Blanks and DragText answers: *answer* (with optional :tip).
H5P_BLANK = re.compile(r"\*([^*]+)\*")


def plain_text(value: str) -> str:
    without_tags = TAG.sub(" ", value)
    return " ".join(html.unescape(without_tags).split())


def words(text: str) -> list[str]:
    return WORD.findall(text)


def syllables(word: str) -> int:
    """English syllable estimate: vowel groups, a silent final e not counted."""
    lowered = word.lower()
    count = len(VOWEL_GROUPS.findall(lowered))
    if lowered.endswith("e") and not lowered.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def sentence_count(text: str) -> int:
    return max(len(SENTENCE_END.findall(text)), 1)


def flesch_reading_ease(text: str) -> float | None:
    """Flesch reading ease (English; 60–70 is plain English); None without enough words."""
    found = words(text)
    if len(found) < 10:
        return None
    syllable_total = sum(syllables(word) for word in found)
    value = (
        206.835 - 1.015 * (len(found) / sentence_count(text)) - 84.6 * (syllable_total / len(found))
    )
    return round(value, 1)


def negatives_in(text: str) -> list[str]:
    return [match.group(0) for match in NEGATIVES.finditer(text)]


def similarity(first: str, second: str) -> float:
    a = " ".join(words(first.lower()))
    b = " ".join(words(second.lower()))
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()
