"""The deterministic, offline critic: reads a content item's params and reports.

Rules (each suggestion names the params field it refers to, as a path like
``answers[1].tipsAndFeedback.chosenFeedback``):

* question stems: too short or long, negative wording;
* distractors: fewer than two, near-identical answers, a correct answer that gives
  itself away by length;
* feedback for right and for wrong answers (per answer, or the type's own fields);
* alt text of every image field, captions of videos (WCAG 2.1 SC 1.1.1 and 1.2.2);
* a reading-ease estimate of the learner-facing text (English only: Flesch).

Nested content (a QuestionSet's questions, a Column's items) is reviewed with the rules
of its own library.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from learnloop.h5p.quality import text as measures
from learnloop.h5p.quality.blooms import blooms_level

CRITIC_VERSION = 1
STEM_MIN_WORDS = 3
STEM_MAX_WORDS = 50
MIN_DISTRACTORS = 2
SIMILAR_ANSWERS = 0.85
HARD_TO_READ = 50.0
EASY_TO_READ = 60.0
PENALTIES = {"stem": 8, "distractors": 10, "feedback": 10, "accessibility": 10, "readability": 6}
ACCESSIBILITY_PENALTIES = {"alt-text": 20, "captions": 25, "readability": 10}
READABILITY_LANGUAGES = ("en", "und")
# A problem repeated in many items (20 images without alt text) counts twice at most,
# so one kind of problem cannot drown out the others.
MAX_PENALTIES_PER_KIND = 2


@dataclass(frozen=True)
class Suggestion:
    category: str
    field: str
    message: str
    # What accessibility it costs ("alt-text", "captions", "readability"), if any.
    accessibility: str | None = None


@dataclass
class Review:
    strengths: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    task_words: list[str] = field(default_factory=list)
    learner_text: list[str] = field(default_factory=list)

    def strength(self, message: str) -> None:
        if message not in self.strengths:
            self.strengths.append(message)

    def suggest(self, category: str, path: str, message: str, a11y: str | None = None) -> None:
        self.suggestions.append(Suggestion(category, path, message, a11y))


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _string(value: Any) -> str:
    return measures.plain_text(value) if isinstance(value, str) else ""


def _has_feedback_text(entries: Any) -> bool:
    return isinstance(entries, list) and any(
        isinstance(entry, dict) and _string(entry.get("feedback")) for entry in entries
    )


class Critic:
    def __init__(self) -> None:
        self.review = Review()

    # --- question parts ---------------------------------------------------------------

    def stem(self, value: Any, path: str) -> None:
        stem = _string(value)
        found = measures.words(stem)
        self.review.task_words.extend(found)
        self.review.learner_text.append(stem)
        problems = 0
        if len(found) < STEM_MIN_WORDS:
            problems += 1
            self.review.suggest(
                "stem", path, f"The question has {len(found)} words: say what is asked"
            )
        elif len(found) > STEM_MAX_WORDS:
            problems += 1
            self.review.suggest(
                "stem", path, f"The question has {len(found)} words: shorten it to the point"
            )
        negatives = measures.negatives_in(stem)
        if negatives:
            problems += 1
            self.review.suggest(
                "stem",
                path,
                f"Word the question positively (it says {', '.join(sorted(set(negatives)))})",
            )
        if not problems:
            self.review.strength("Clear question stem")

    def distractors(self, correct: list[str], wrong: list[str], path: str) -> None:
        self.review.learner_text.extend(correct + wrong)
        if len(wrong) < MIN_DISTRACTORS:
            self.review.suggest(
                "distractors",
                path,
                f"Add plausible distractors: {len(wrong)} wrong answer(s), at least "
                f"{MIN_DISTRACTORS} make guessing harder",
            )
            return
        problems = 0
        answers = correct + wrong
        for first in range(len(answers)):
            for second in range(first + 1, len(answers)):
                if measures.similarity(answers[first], answers[second]) >= SIMILAR_ANSWERS:
                    problems += 1
                    self.review.suggest(
                        "distractors",
                        path,
                        f'Answers "{answers[first][:60]}" and "{answers[second][:60]}" '
                        "are nearly the same",
                    )
        wrong_lengths = [len(measures.words(answer)) for answer in wrong]
        average_wrong = sum(wrong_lengths) / len(wrong_lengths)
        for answer in correct:
            length = len(measures.words(answer))
            if length >= 2 * average_wrong and length - average_wrong >= 4:
                problems += 1
                self.review.suggest(
                    "distractors",
                    path,
                    "The correct answer is much longer than the distractors, which gives it away",
                )
        if not problems:
            self.review.strength("Distinct, plausible distractors")

    def feedback(self, right: bool | None, wrong: bool, right_path: str, wrong_path: str) -> None:
        """``right`` is None when there is no correct answer to give feedback on."""
        if right is False:
            self.review.suggest(
                "feedback", right_path, "Add feedback for the correct answer (why it is right)"
            )
        if not wrong:
            self.review.suggest(
                "feedback", wrong_path, "Add feedback for incorrect answers (why they are wrong)"
            )
        if right is not False and wrong:
            self.review.strength("Feedback for right and wrong answers")

    # --- content types ----------------------------------------------------------------

    def multi_choice(self, params: dict[str, Any], path: str) -> None:
        self.stem(params.get("question"), _join(path, "question"))
        answers = [a for a in params.get("answers") or [] if isinstance(a, dict)]
        correct = [_string(a.get("text")) for a in answers if a.get("correct") is True]
        wrong = [_string(a.get("text")) for a in answers if a.get("correct") is not True]
        if not correct:
            self.review.suggest(
                "distractors", _join(path, "answers"), "Mark at least one answer as correct"
            )
        self.distractors(correct, wrong, _join(path, "answers"))
        right_feedback = wrong_feedback = False
        first_right = first_wrong = None
        for index, answer in enumerate(answers):
            tips = answer.get("tipsAndFeedback")
            chosen = _string(tips.get("chosenFeedback")) if isinstance(tips, dict) else ""
            if answer.get("correct") is True:
                first_right = index if first_right is None else first_right
                right_feedback = right_feedback or bool(chosen)
            else:
                first_wrong = index if first_wrong is None else first_wrong
                wrong_feedback = wrong_feedback or bool(chosen)
        answers_path = _join(path, "answers")
        self.feedback(
            right_feedback if correct else None,
            wrong_feedback,
            f"{_join(answers_path, first_right or 0)}.tipsAndFeedback.chosenFeedback",
            f"{_join(answers_path, first_wrong or 0)}.tipsAndFeedback.chosenFeedback",
        )

    def true_false(self, params: dict[str, Any], path: str) -> None:
        self.stem(params.get("question"), _join(path, "question"))
        behaviour = params.get("behaviour")
        behaviour = behaviour if isinstance(behaviour, dict) else {}
        behaviour_path = _join(path, "behaviour")
        self.feedback(
            bool(_string(behaviour.get("feedbackOnCorrect"))),
            bool(_string(behaviour.get("feedbackOnWrong"))),
            _join(behaviour_path, "feedbackOnCorrect"),
            _join(behaviour_path, "feedbackOnWrong"),
        )

    def single_choice_set(self, params: dict[str, Any], path: str) -> None:
        for index, choice in enumerate(params.get("choices") or []):
            if not isinstance(choice, dict):
                continue
            choice_path = _join(_join(path, "choices"), index)
            self.stem(choice.get("question"), _join(choice_path, "question"))
            answers = [_string(answer) for answer in choice.get("answers") or []]
            # H5P.SingleChoiceSet: the first answer is the correct one.
            self.distractors(answers[:1], answers[1:], _join(choice_path, "answers"))

    def task_text(self, params: dict[str, Any], path: str, *fields: str) -> None:
        """Blanks, DragText, MarkTheWords, Essay: a task description and a text."""
        for name in fields:
            value = params.get(name)
            values = value if isinstance(value, list) else [value]
            for item in values:
                plain = measures.H5P_BLANK.sub(r"\1", _string(item))
                self.review.learner_text.append(plain)
                self.review.task_words.extend(measures.words(plain))

    def overall_feedback(self, params: dict[str, Any], path: str) -> None:
        if "overallFeedback" not in params:
            return
        if _has_feedback_text(params.get("overallFeedback")):
            self.review.strength("Feedback on the overall score")
        else:
            self.review.suggest(
                "feedback",
                _join(path, "overallFeedback"),
                "Add feedback for score ranges (what a low and a high score mean)",
            )

    # --- media ------------------------------------------------------------------------

    def media(self, node: dict[str, Any], path: str, library: str) -> None:
        for key, value in node.items():
            if not isinstance(value, dict):
                continue
            mime = value.get("mime")
            if isinstance(mime, str) and mime.startswith("image/") and "path" in value:
                # H5P.Image's file has "alt"; an image field elsewhere has "<name>Alt"
                # (MemoryGame) or "<name>AltText" (Flashcards, Dialogcards) beside it.
                names = (f"{key}Alt", f"{key}AltText", "alt", "altText")
                default = "alt" if key == "file" else f"{key}AltText"
                alt_field = next((name for name in names if name in node), default)
                if _string(node.get(alt_field)):
                    self.review.strength("Images have alt text")
                else:
                    self.review.suggest(
                        "accessibility",
                        _join(path, alt_field),
                        "Add alt text to the image (what a screen reader says instead)",
                        "alt-text",
                    )
        if library == "H5P.Video" and node.get("sources"):
            tracks = node.get("a11y")
            if isinstance(tracks, list) and tracks:
                self.review.strength("Videos have captions")
            else:
                self.review.suggest(
                    "accessibility",
                    _join(path, "a11y"),
                    "Add a captions track to the video (WCAG 2.1 SC 1.2.2)",
                    "captions",
                )

    # --- walking ----------------------------------------------------------------------

    CHECKS = {
        "H5P.MultiChoice": "multi_choice",
        "H5P.TrueFalse": "true_false",
        "H5P.SingleChoiceSet": "single_choice_set",
    }
    TEXT_FIELDS = {
        "H5P.Blanks": ("text", "questions"),
        "H5P.DragText": ("taskDescription", "textField"),
        "H5P.MarkTheWords": ("taskDescription", "textField"),
        "H5P.Essay": ("taskDescription",),
        "H5P.Summary": ("intro",),
    }

    def content(self, machine_name: str, params: dict[str, Any], path: str) -> None:
        check = self.CHECKS.get(machine_name)
        if check is not None:
            getattr(self, check)(params, path)
        if machine_name in self.TEXT_FIELDS:
            self.task_text(params, path, *self.TEXT_FIELDS[machine_name])
        if not path:
            # Nested questions show the container's score feedback, not their own.
            self.overall_feedback(params, path)
        self.walk(params, path, machine_name)

    def walk(self, node: Any, path: str, library: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                self.walk(item, _join(path, index), library)
            return
        if not isinstance(node, dict):
            return
        self.media(node, path, library)
        for key, value in node.items():
            child_path = _join(path, key)
            sub_library = value.get("library") if isinstance(value, dict) else None
            sub_params = value.get("params") if isinstance(value, dict) else None
            if isinstance(sub_library, str) and isinstance(sub_params, dict):
                self.content(sub_library.split(" ")[0], sub_params, _join(child_path, "params"))
            elif isinstance(value, list) and all(
                isinstance(item, dict) and "library" in item for item in value if item
            ):
                for index, item in enumerate(value):
                    item_library = item.get("library") if isinstance(item, dict) else None
                    item_params = item.get("params") if isinstance(item, dict) else None
                    item_path = _join(child_path, index)
                    if isinstance(item_library, str) and isinstance(item_params, dict):
                        self.content(
                            item_library.split(" ")[0], item_params, _join(item_path, "params")
                        )
                    else:
                        self.walk(item, item_path, library)
            else:
                self.walk(value, child_path, library)


def _readability(review: Review, language: str) -> dict[str, Any]:
    supported = language.split("-")[0].lower() in READABILITY_LANGUAGES
    text = " ".join(part for part in review.learner_text if part)
    ease = measures.flesch_reading_ease(text) if supported else None
    if ease is not None and ease < HARD_TO_READ:
        review.suggest(
            "readability",
            "",
            f"The text is hard to read (Flesch reading ease {ease:.0f}): use shorter "
            "sentences and more common words",
            "readability",
        )
    elif ease is not None and ease >= EASY_TO_READ:
        review.strength("Easy-to-read text")
    return {"language": language, "supported": supported, "fleschReadingEase": ease}


def review_content(machine_name: str, params: dict[str, Any], language: str) -> dict[str, Any]:
    """The report of one content item (the reference's ``qualityReport`` and more)."""
    critic = Critic()
    critic.content(machine_name, params, "")
    review = critic.review
    readability = _readability(review, language or "und")
    categories = Counter(s.category for s in review.suggestions)
    overall = 100 - sum(
        PENALTIES[category] * min(count, MAX_PENALTIES_PER_KIND)
        for category, count in categories.items()
    )
    kinds = Counter(s.accessibility for s in review.suggestions if s.accessibility)
    accessibility = 100 - sum(
        ACCESSIBILITY_PENALTIES[kind] * min(count, MAX_PENALTIES_PER_KIND)
        for kind, count in kinds.items()
    )
    return {
        "overallScore": max(0, min(100, overall)),
        "accessibilityScore": max(0, min(100, accessibility)),
        "bloomsLevel": blooms_level(machine_name, review.task_words),
        "strengths": review.strengths,
        # The reference's list of strings, each message once; ``suggestions`` has them
        # all, each with the field it refers to.
        "improvements": list(dict.fromkeys(s.message for s in review.suggestions)),
        "suggestions": [
            {
                "category": suggestion.category,
                "field": suggestion.field,
                "message": suggestion.message,
                "source": "critic",
            }
            for suggestion in review.suggestions
        ],
        "readability": readability,
        "criticVersion": CRITIC_VERSION,
    }
