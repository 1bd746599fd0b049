"""``contentTypeSlug`` for the list endpoint and the essential content types.

The reference derives the slug from the main library with a fixed mapping and answers
``"unknown"`` for anything else; it installs and reports on these 30 essential types.
"""

from __future__ import annotations

ESSENTIAL_CONTENT_TYPES: tuple[str, ...] = (
    "H5P.MultiChoice",
    "H5P.TrueFalse",
    "H5P.Blanks",
    "H5P.DragText",
    "H5P.DragQuestion",
    "H5P.MarkTheWords",
    "H5P.QuestionSet",
    "H5P.InteractiveVideo",
    "H5P.CoursePresentation",
    "H5P.InteractiveBook",
    "H5P.BranchingScenario",
    "H5P.Timeline",
    "H5P.ImageHotspots",
    "H5P.MemoryGame",
    "H5P.Flashcards",
    "H5P.DialogCards",
    "H5P.Accordion",
    "H5P.Column",
    "H5P.ImageSlider",
    "H5P.Summary",
    "H5P.SingleChoiceSet",
    "H5P.Essay",
    "H5P.SortParagraphs",
    "H5P.ImageSequencing",
    "H5P.FindTheWords",
    "H5P.Crossword",
    "H5P.ArithmeticQuiz",
    "H5P.GuessTheAnswer",
    "H5P.ImageJuxtaposition",
    "H5P.Chart",
)

# The reference lists "H5P.DialogCards"; the library on the H5P Hub is "H5P.Dialogcards".
CONTENT_TYPE_SLUGS: dict[str, str] = {
    "H5P.MultiChoice": "multiple-choice",
    "H5P.TrueFalse": "true-false",
    "H5P.Blanks": "fill-in-the-blanks",
    "H5P.DragText": "drag-the-words",
    "H5P.DragQuestion": "drag-and-drop",
    "H5P.MarkTheWords": "mark-the-words",
    "H5P.QuestionSet": "question-set",
    "H5P.InteractiveVideo": "interactive-video",
    "H5P.CoursePresentation": "course-presentation",
    "H5P.InteractiveBook": "interactive-book",
    "H5P.BranchingScenario": "branching-scenario",
    "H5P.Timeline": "timeline",
    "H5P.ImageHotspots": "image-hotspots",
    "H5P.MemoryGame": "memory-game",
    "H5P.Flashcards": "flashcards",
    "H5P.DialogCards": "dialog-cards",
    "H5P.Dialogcards": "dialog-cards",
    "H5P.Accordion": "accordion",
    "H5P.Column": "column",
    "H5P.ImageSlider": "image-slider",
    "H5P.Summary": "summary",
    "H5P.SingleChoiceSet": "single-choice-set",
    "H5P.Essay": "essay",
    "H5P.SortParagraphs": "sort-paragraphs",
    "H5P.ImageSequencing": "image-sequencing",
    "H5P.FindTheWords": "find-the-words",
    "H5P.Crossword": "crossword",
    "H5P.ArithmeticQuiz": "arithmetic-quiz",
    "H5P.GuessTheAnswer": "guess-the-answer",
    "H5P.ImageJuxtaposition": "image-juxtaposition",
    "H5P.Chart": "chart",
}

UNKNOWN_SLUG = "unknown"


def content_type_slug(machine_name: str) -> str:
    return CONTENT_TYPE_SLUGS.get(machine_name, UNKNOWN_SLUG)


def essential_names(machine_name: str) -> tuple[str, ...]:
    """The machine names that count as installing an essential type."""
    if machine_name == "H5P.DialogCards":
        return ("H5P.DialogCards", "H5P.Dialogcards")
    return (machine_name,)
