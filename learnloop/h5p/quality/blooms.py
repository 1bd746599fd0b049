"""Bloom's level of a task from its verbs and its content type (Anderson & Krathwohl's
revised taxonomy: Remember, Understand, Apply, Analyze, Evaluate, Create)."""

from __future__ import annotations

LEVELS = ("Remember", "Understand", "Apply", "Analyze", "Evaluate", "Create")

VERBS: dict[str, frozenset[str]] = {
    "Remember": frozenset(
        [
            "define",
            "list",
            "name",
            "recall",
            "recognize",
            "identify",
            "state",
            "label",
            "match",
            "memorize",
            "repeat",
            "who",
            "what",
            "when",
            "where",
            "which",
        ]
    ),
    "Understand": frozenset(
        [
            "explain",
            "describe",
            "summarize",
            "classify",
            "compare",
            "interpret",
            "paraphrase",
            "discuss",
            "illustrate",
            "restate",
            "translate",
            "why",
        ]
    ),
    "Apply": frozenset(
        [
            "apply",
            "calculate",
            "solve",
            "demonstrate",
            "compute",
            "implement",
            "execute",
            "predict",
            "sketch",
        ]
    ),
    "Analyze": frozenset(
        [
            "analyze",
            "analyse",
            "differentiate",
            "distinguish",
            "examine",
            "organize",
            "contrast",
            "categorize",
            "deconstruct",
            "infer",
            "investigate",
        ]
    ),
    "Evaluate": frozenset(
        [
            "evaluate",
            "justify",
            "judge",
            "critique",
            "assess",
            "argue",
            "defend",
            "appraise",
            "prioritize",
            "recommend",
        ]
    ),
    "Create": frozenset(
        [
            "create",
            "design",
            "compose",
            "construct",
            "develop",
            "formulate",
            "invent",
            "plan",
            "produce",
            "write",
            "propose",
        ]
    ),
}

# What a content type asks of a learner when its wording says nothing more.
CONTENT_TYPE_LEVEL: dict[str, str] = {
    "H5P.Flashcards": "Remember",
    "H5P.Dialogcards": "Remember",
    "H5P.MemoryGame": "Remember",
    "H5P.FindTheWords": "Remember",
    "H5P.TrueFalse": "Remember",
    "H5P.MultiChoice": "Remember",
    "H5P.SingleChoiceSet": "Remember",
    "H5P.Blanks": "Remember",
    "H5P.DragText": "Remember",
    "H5P.MarkTheWords": "Understand",
    "H5P.Summary": "Understand",
    "H5P.ImageSequencing": "Understand",
    "H5P.DragQuestion": "Understand",
    "H5P.QuestionSet": "Remember",
    "H5P.Essay": "Create",
    "H5P.BranchingScenario": "Apply",
    "H5P.ArithmeticQuiz": "Apply",
}


def blooms_level(machine_name: str, task_words: list[str]) -> str:
    """The highest level named by a verb of the task, never below the type's own."""
    level = LEVELS.index(CONTENT_TYPE_LEVEL.get(machine_name, "Remember"))
    lowered = {word.lower() for word in task_words}
    for index, name in enumerate(LEVELS):
        if index > level and lowered & VERBS[name]:
            level = index
    return LEVELS[level]
