"""One recipe per editable H5P content type: the params a teacher produces in the editor,
the form steps that produce them, how a learner answers the content in the player and the
score that answer earns.

The params are minimal — what a teacher types, not the defaults the form fills in — and are
written the way they are stored (rich-text fields as the HTML the editor produces, image
fields as ``images/<file>`` after the save moved the upload out of the temporary area).
Field names, labels and allowed values come from each library's ``semantics.json`` and
``language/en.json`` in the hub packages (../shared/fixtures/h5p/hub/<type>.h5p).

Types the issue lists that have no hub package here (Column, ImageSlider, Timeline,
Crossword, ArithmeticQuiz, SortParagraphs, ImageJuxtaposition) cannot be installed offline,
so they have no recipe: ``UNINSTALLABLE``.
"""

from __future__ import annotations

import copy
import json
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, Locator, Page

UNINSTALLABLE = (
    "H5P.Column",
    "H5P.ImageSlider",
    "H5P.Timeline",
    "H5P.Crossword",
    "H5P.ArithmeticQuiz",
    "H5P.SortParagraphs",
    "H5P.ImageJuxtaposition",
)

Surface = Page | Frame


# --- form steps -------------------------------------------------------------------------------
# A step names a field by its params path (``answers[1].text``), the path syntax of the
# server's field errors, and carries the field's English label from the language file so
# a failing step says which field a teacher would have looked for.


@dataclass(frozen=True)
class Type:
    """Type ``text`` into the text, number, textarea or rich-text field at ``path``."""

    path: str
    label: str
    text: str


@dataclass(frozen=True)
class Tick:
    """Set the boolean field at ``path`` to ``on``."""

    path: str
    label: str
    on: bool = True


@dataclass(frozen=True)
class Choose:
    """Pick the option whose value is ``value`` in the select (or radio group) at ``path``."""

    path: str
    label: str
    value: str


@dataclass(frozen=True)
class AddItem:
    """Press the list's add button once (the new item is the last one)."""

    path: str
    label: str


@dataclass(frozen=True)
class MoveItem:
    """Move list item ``index`` of the list at ``path`` one place up."""

    path: str
    label: str
    index: int


@dataclass(frozen=True)
class Upload:
    """Upload the generated image ``image`` into the image field at ``path``."""

    path: str
    label: str
    image: str


@dataclass(frozen=True)
class Library:
    """Choose the sub-content type ``uber_name`` in the library field at ``path``."""

    path: str
    label: str
    uber_name: str


Step = Type | Tick | Choose | AddItem | MoveItem | Upload | Library


# --- generated images -------------------------------------------------------------------------


def png(rgb: tuple[int, int, int], size: int = 48) -> bytes:
    """A solid-colour PNG (no imaging library needed): distinct colours tell images apart."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


IMAGES: dict[str, tuple[int, int, int]] = {
    "red.png": (220, 40, 40),
    "green.png": (40, 170, 60),
    "blue.png": (40, 60, 220),
}


def image_value(name: str) -> dict[str, Any]:
    """An image field's stored value (mime and size as the upload endpoint reports them)."""
    return {"path": f"images/{name}", "mime": "image/png", "width": 48, "height": 48}


# --- answering in the player -----------------------------------------------------------------


def check(surface: Surface) -> None:
    """Press H5P.Question's Check button."""
    surface.locator(".h5p-question-check-answer:visible").first.click()


def drag(surface: Surface, source: Locator, target: Locator) -> None:
    """jQuery UI draggables and sortables follow real mouse moves, in steps."""
    page = surface.page if isinstance(surface, Frame) else surface
    start = source.bounding_box()
    end = target.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 5, end["y"] + 5, steps=8)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def answer_multichoice(surface: Surface) -> None:
    surface.locator(".h5p-answer", has_text="Jupiter").click()
    check(surface)


def answer_truefalse(surface: Surface) -> None:
    surface.locator(".h5p-true-false-answer", has_text="True").click()
    check(surface)


def answer_blanks(surface: Surface) -> None:
    inputs = surface.locator("input.h5p-text-input")
    assert inputs.count() == 2
    for index, word in enumerate(["blue", "green"]):
        inputs.nth(index).fill(word)
        inputs.nth(index).press("Tab")
    check(surface)


def answer_dragtext(surface: Surface) -> None:
    zones = surface.locator(".h5p-drag-dropzone-container .ui-droppable")
    assert zones.count() == 2
    for index, word in enumerate(["cold", "hot"]):
        source = surface.locator(".h5p-drag-draggables-container .ui-draggable", has_text=word)
        drag(surface, source.first, zones.nth(index))
    check(surface)


def answer_markthewords(surface: Surface) -> None:
    words = surface.locator(".h5p-word-selectable-words [role=option]")
    for word in ("cat", "mat"):
        words.filter(has_text=word).first.click()
    check(surface)


def answer_questionset(surface: Surface) -> None:
    """The first question is a MultiChoice, the second a True/False; then Finish."""
    slide = surface.locator(".question-container:visible").first
    answer_multichoice(slide)  # type: ignore[arg-type]
    surface.locator(".h5p-question-next:visible").first.click()
    slide = surface.locator(".question-container.h5p-true-false:visible")
    slide.locator(".h5p-true-false-answer", has_text="True").click()
    check(slide)  # type: ignore[arg-type]
    surface.locator(".h5p-question-finish:visible").first.click()
    surface.locator(".questionset-results").wait_for()


def answer_singlechoiceset(surface: Surface) -> None:
    for correct in ("Paris", "Berlin"):
        alternative = surface.locator(".h5p-sc-slide.h5p-sc-current-slide .h5p-sc-alternative")
        alternative.filter(has_text=correct).click()
    surface.locator(".h5p-sc-set-results").wait_for()


def answer_summary(surface: Surface) -> None:
    for correct in ("Water boils at 100 °C at sea level.", "Ice is frozen water."):
        option = surface.locator(".summary-options li:visible", has_text=correct)
        option.click()
    surface.locator(".summary-evaluation").wait_for()


def answer_essay(surface: Surface) -> None:
    surface.locator(".h5p-essay-input-field-textfield").fill(
        "Plants use photosynthesis and sunlight to make sugar."
    )
    check(surface)


def answer_flashcards(surface: Surface) -> None:
    """Type each card's answer and check it; the next card comes with the Next button."""
    cards = surface.locator(".h5p-card")
    for index, answer in enumerate(("4", "9")):
        card = surface.locator(f".h5p-card:nth-child({index + 1}).h5p-current")
        card.wait_for()
        card.locator(".h5p-textinput").fill(answer)
        card.locator(".h5p-check-button").click()
        surface.locator(f".h5p-card:nth-child({index + 1}).h5p-correct").wait_for()
        if index + 1 < cards.count():
            surface.locator(".h5p-navigation .h5p-next").click()


def open_accordion(surface: Surface) -> None:
    surface.locator(".h5p-panel-title", has_text="Second panel").click()
    surface.locator(".h5p-panel-content:visible", has_text="Inside the second").wait_for()


def flip_dialogcards(surface: Surface) -> None:
    surface.locator(".h5p-dialogcards-turn:visible").first.click()
    surface.locator(".h5p-dialogcards-card-text-area:visible", has_text="Bonjour").wait_for()


def reveal_guess(surface: Surface) -> None:
    surface.locator(".show-solution-button").click()
    surface.locator(".solution-text", has_text="Jupiter").wait_for()


def show_chart(surface: Surface) -> None:
    surface.locator(".h5p-chart svg text", has_text="Apples").first.wait_for()


def answer_memorygame(surface: Surface) -> None:
    """Turn both cards of each pair (cards are shuffled: pairs share the image)."""
    cards = surface.locator(".h5p-memory-card")
    assert cards.count() == 4
    sources = [
        cards.nth(index).locator(".h5p-front img, .h5p-back img").first.get_attribute("src")
        for index in range(4)
    ]
    done: set[int] = set()
    for index, source in enumerate(sources):
        if index in done:
            continue
        partner = next(other for other in range(4) if other != index and sources[other] == source)
        cards.nth(index).locator(".h5p-front").click()
        cards.nth(partner).locator(".h5p-front").click()
        done |= {index, partner}
        time.sleep(0.4)


def sequence_order(surface: Surface) -> list[str]:
    items = surface.locator("ul.sortable > li.sequencing-item")
    return [items.nth(index).get_attribute("aria-label") or "" for index in range(items.count())]


def answer_imagesequencing(surface: Surface) -> None:
    """Sort the shuffled images into red, green, blue order (by their descriptions) with
    the mouse, then press the check button (JoubelUI button titled "submit")."""
    wanted = ["Red square", "Green square", "Blue square"]
    items = surface.locator("ul.sortable > li.sequencing-item")
    for _ in range(8):
        order = sequence_order(surface)
        if order == wanted:
            break
        position = next(index for index, alt in enumerate(order) if alt != wanted[index])
        source = surface.locator(f"ul.sortable > li[aria-label='{wanted[position]}']")
        drag(surface, source, items.nth(position))
        time.sleep(0.3)
    assert sequence_order(surface) == wanted
    surface.locator(".h5p-joubelui-button[title='submit']").click()


# FindTheWords draws its grid on a canvas and reads a marked word from a mouse down and a
# mouse up; its mouse-up handler measures y from the page top less ¾ of a cell (not from
# the canvas), so the end point is sent as the events it reads, from the grid it made.
FIND_WORD = """(word) => {
  const grid = H5P.instances[0].grid;
  const rows = grid.wordGrid, size = grid.elementSize;
  const steps = [[1,0],[-1,0],[0,1],[0,-1],[1,1],[-1,1],[1,-1],[-1,-1]];
  let found = null;
  for (let y = 0; y < rows.length && !found; y++) for (let x = 0; x < rows[y].length && !found; x++)
    for (const [dx, dy] of steps) {
      let ok = true;
      for (let i = 0; i < word.length; i++) {
        const row = rows[y + dy * i];
        if (!row || row[x + dx * i] !== word[i]) { ok = false; break; }
      }
      if (ok) { found = {x, y, ex: x + dx * (word.length - 1), ey: y + dy * (word.length - 1)}; break; }
    }
  if (!found) return false;
  const canvas = document.getElementById('drawing-canvas');
  const box = canvas.getBoundingClientRect();
  const top = box.top + window.scrollY;
  const shift = top > size * 0.75 ? Math.floor(size * 0.75) : top;
  const send = (type, pageX, pageY) => canvas.dispatchEvent(new MouseEvent(type, {
    bubbles: true, clientX: pageX - window.scrollX, clientY: pageY - window.scrollY}));
  const startX = box.left + window.scrollX + found.x * size + size / 2;
  send('mousedown', startX, top + found.y * size + size / 2);
  send('mousemove', startX + 2, top + found.y * size + size / 2 + 2);
  send('mouseup', box.left + window.scrollX + found.ex * size + size / 2,
       Math.abs(shift) + found.ey * size + size / 2);
  return true;
}"""


def answer_findthewords(surface: Surface) -> None:
    """Mark both words; finding the last one submits the game (its score feedback shows)."""
    for word in ("sun", "moon"):
        assert surface.evaluate(FIND_WORD, word), word
    surface.locator(".feedback-show").wait_for()


# --- recipes -----------------------------------------------------------------------------------


def text(html: str) -> str:
    """A rich-text field's value as the editor stores it: one paragraph."""
    return f"<p>{html}</p>"


@dataclass(frozen=True)
class Recipe:
    name: str
    library: str
    title: str
    params: dict[str, Any]
    answer: Callable[[Surface], None]
    # (raw, max) the answer earns, in the statement about the content itself; None for
    # content a learner views without a score (the answer step then proves it works).
    score: tuple[float, float] | None
    # The form steps, in order, that turn a new form of the type into these params.
    steps: tuple[Step, ...] = ()
    # Generated images (IMAGES) the params use, uploaded first.
    images: tuple[str, ...] = ()


def sub(library: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"library": library, "params": params}


MULTICHOICE_PARAMS: dict[str, Any] = {
    "question": text("Which planet is the largest?"),
    "answers": [
        {"text": text("Jupiter"), "correct": True},
        {"text": text("Mars"), "correct": False},
    ],
}

TRUEFALSE_PARAMS: dict[str, Any] = {
    "question": text("The Sun is a star."),
    "correct": "true",
}

RECIPES: list[Recipe] = [
    Recipe(
        "H5P.MultiChoice",
        "H5P.MultiChoice 1.14",
        "Largest planet",
        MULTICHOICE_PARAMS,
        answer_multichoice,
        (1, 1),
        steps=(
            Type("question", "Question", "Which planet is the largest?"),
            # New MultiChoice content starts with two options (defaultNum).
            Type("answers[0].text", "Text", "Mars"),
            Type("answers[1].text", "Text", "Jupiter"),
            Tick("answers[1].correct", "Correct"),
            MoveItem("answers", "Available options", 1),
        ),
    ),
    Recipe(
        "H5P.TrueFalse",
        "H5P.TrueFalse 1.6",
        "The Sun",
        TRUEFALSE_PARAMS,
        answer_truefalse,
        (1, 1),
        steps=(
            Type("question", "Question", "The Sun is a star."),
            Choose("correct", "Correct answer", "true"),
        ),
    ),
    Recipe(
        "H5P.Blanks",
        "H5P.Blanks 1.12",
        "Colours",
        {
            "text": text("Fill in the missing words"),
            "questions": [text("The sky is *blue* and grass is *green*.")],
        },
        answer_blanks,
        (2, 2),
        steps=(Type("questions[0]", "Line of text", "The sky is *blue* and grass is *green*."),),
    ),
    Recipe(
        "H5P.DragText",
        "H5P.DragText 1.8",
        "Hot and cold",
        {
            "taskDescription": text("Drag the words into the correct boxes"),
            "textField": "Ice is *cold* and fire is *hot*.",
        },
        answer_dragtext,
        (2, 2),
        steps=(Type("textField", "Text", "Ice is *cold* and fire is *hot*."),),
    ),
    Recipe(
        "H5P.MarkTheWords",
        "H5P.MarkTheWords 1.9",
        "Nouns",
        {
            "taskDescription": text("Click the nouns."),
            "textField": text("The *cat* sat on the *mat*."),
        },
        answer_markthewords,
        (2, 2),
        steps=(
            Type("taskDescription", "Task description", "Click the nouns."),
            Type("textField", "Textfield", "The *cat* sat on the *mat*."),
        ),
    ),
    Recipe(
        "H5P.QuestionSet",
        "H5P.QuestionSet 1.17",
        "Space quiz",
        {
            "questions": [
                sub("H5P.MultiChoice 1.14", MULTICHOICE_PARAMS),
                sub("H5P.TrueFalse 1.6", TRUEFALSE_PARAMS),
            ],
        },
        answer_questionset,
        (2, 2),
        steps=(
            Library("questions[0]", "Question type", "H5P.MultiChoice 1.14"),
            Type("questions[0].params.question", "Question", "Which planet is the largest?"),
            Type("questions[0].params.answers[0].text", "Text", "Jupiter"),
            Tick("questions[0].params.answers[0].correct", "Correct"),
            Type("questions[0].params.answers[1].text", "Text", "Mars"),
            AddItem("questions", "Questions"),
            Library("questions[1]", "Question type", "H5P.TrueFalse 1.6"),
            Type("questions[1].params.question", "Question", "The Sun is a star."),
            Choose("questions[1].params.correct", "Correct answer", "true"),
        ),
    ),
    Recipe(
        "H5P.SingleChoiceSet",
        "H5P.SingleChoiceSet 1.11",
        "Capitals",
        {
            "choices": [
                {
                    "question": text("Capital of France?"),
                    "answers": [text("Paris"), text("Lyon")],
                },
                {
                    "question": text("Capital of Germany?"),
                    "answers": [text("Berlin"), text("Bonn")],
                },
            ],
            "behaviour": {"autoContinue": True},
        },
        answer_singlechoiceset,
        (2, 2),
        steps=(
            Type("choices[0].question", "Question", "Capital of France?"),
            Type("choices[0].answers[0]", "Alternative", "Paris"),
            Type("choices[0].answers[1]", "Alternative", "Lyon"),
            # Two questions of two alternatives each to start with (defaultNum).
            Type("choices[1].question", "Question", "Capital of Germany?"),
            Type("choices[1].answers[0]", "Alternative", "Berlin"),
            Type("choices[1].answers[1]", "Alternative", "Bonn"),
        ),
    ),
    Recipe(
        "H5P.Summary",
        "H5P.Summary 1.10",
        "Water",
        {
            "intro": text("Choose the correct statement."),
            "summaries": [
                {
                    "summary": [
                        text("Water boils at 100 °C at sea level."),
                        text("Water boils at 50 °C at sea level."),
                    ]
                },
                {"summary": [text("Ice is frozen water."), text("Ice is frozen milk.")]},
            ],
        },
        answer_summary,
        (2, 2),
        steps=(
            Type("summaries[0].summary[0]", "Statement", "Water boils at 100 °C at sea level."),
            Type("summaries[0].summary[1]", "Statement", "Water boils at 50 °C at sea level."),
            AddItem("summaries", "Summary"),
            Type("summaries[1].summary[0]", "Statement", "Ice is frozen water."),
            Type("summaries[1].summary[1]", "Statement", "Ice is frozen milk."),
        ),
    ),
    Recipe(
        "H5P.Essay",
        "H5P.Essay 1.2",
        "Plants",
        {
            "taskDescription": text("How do plants make food?"),
            "keywords": [
                {"keyword": "photosynthesis", "options": {"points": 2, "occurrences": 1}},
                {"keyword": "sunlight", "options": {"points": 1, "occurrences": 1}},
                {"keyword": "chlorophyll", "options": {"points": 1, "occurrences": 1}},
            ],
        },
        answer_essay,
        (3, 4),
        steps=(
            Type("taskDescription", "Task description", "How do plants make food?"),
            Type("keywords[0].keyword", "Keyword", "photosynthesis"),
            Type("keywords[0].options.points", "Points", "2"),
            AddItem("keywords", "Keywords"),
            Type("keywords[1].keyword", "Keyword", "sunlight"),
            AddItem("keywords", "Keywords"),
            Type("keywords[2].keyword", "Keyword", "chlorophyll"),
        ),
    ),
    Recipe(
        "H5P.Dialogcards",
        "H5P.Dialogcards 1.8",
        "French greetings",
        {
            "mode": "normal",
            "dialogs": [
                {"text": text("Hello"), "answer": text("Bonjour")},
                {"text": text("Goodbye"), "answer": text("Au revoir")},
            ],
        },
        flip_dialogcards,
        None,
        steps=(
            Type("dialogs[0].text", "Text", "Hello"),
            Type("dialogs[0].answer", "Answer", "Bonjour"),
            AddItem("dialogs", "Dialogs"),
            Type("dialogs[1].text", "Text", "Goodbye"),
            Type("dialogs[1].answer", "Answer", "Au revoir"),
        ),
    ),
    Recipe(
        "H5P.Flashcards",
        "H5P.Flashcards 1.5",
        "Squares",
        {
            "description": "What is the square?",
            "cards": [
                {"text": "2 × 2", "answer": "4", "image": image_value("red.png")},
                {"text": "3 × 3", "answer": "9"},
            ],
        },
        answer_flashcards,
        (2, 2),
        images=("red.png",),
        steps=(
            Type("description", "Task description", "What is the square?"),
            Type("cards[0].text", "Question", "2 × 2"),
            Type("cards[0].answer", "Answer", "4"),
            Upload("cards[0].image", "Image", "red.png"),
            AddItem("cards", "Cards"),
            Type("cards[1].text", "Question", "3 × 3"),
            Type("cards[1].answer", "Answer", "9"),
        ),
    ),
    Recipe(
        "H5P.Accordion",
        "H5P.Accordion 1.0",
        "Two panels",
        {
            "panels": [
                {
                    "title": "First panel",
                    "content": sub("H5P.AdvancedText 1.1", {"text": text("Inside the first.")}),
                },
                {
                    "title": "Second panel",
                    "content": sub("H5P.AdvancedText 1.1", {"text": text("Inside the second.")}),
                },
            ],
        },
        open_accordion,
        None,
        steps=(
            Type("panels[0].title", "Title", "First panel"),
            Library("panels[0].content", "Content type", "H5P.AdvancedText 1.1"),
            Type("panels[0].content.params.text", "Text", "Inside the first."),
            AddItem("panels", "Panels"),
            Type("panels[1].title", "Title", "Second panel"),
            Library("panels[1].content", "Content type", "H5P.AdvancedText 1.1"),
            Type("panels[1].content.params.text", "Text", "Inside the second."),
        ),
    ),
    Recipe(
        "H5P.FindTheWords",
        "H5P.FindTheWords 1.4",
        "Sky words",
        {"taskDescription": "Find the words from the grid", "wordList": "sun,moon"},
        answer_findthewords,
        (2, 2),
        steps=(Type("wordList", "Word list", "sun,moon"),),
    ),
    Recipe(
        "H5P.GuessTheAnswer",
        "H5P.GuessTheAnswer 1.4",
        "Largest planet, guessed",
        {
            "taskDescription": text("Which planet is the largest?"),
            "solutionText": "Jupiter",
        },
        reveal_guess,
        None,
        steps=(
            Type("taskDescription", "Task description", "Which planet is the largest?"),
            Type("solutionText", "Solution text", "Jupiter"),
        ),
    ),
    Recipe(
        "H5P.MemoryGame",
        "H5P.MemoryGame 1.3",
        "Colours memory",
        {
            "cards": [
                {"image": image_value("red.png"), "imageAlt": "Red square"},
                {"image": image_value("green.png"), "imageAlt": "Green square"},
            ],
        },
        answer_memorygame,
        # MemoryGame reports a finished game as completed with a score of 1 of 1.
        (1, 1),
        images=("red.png", "green.png"),
        steps=(
            Upload("cards[0].image", "Image", "red.png"),
            Type("cards[0].imageAlt", "Alternative text for Image", "Red square"),
            # Two cards to start with (the list's min).
            Upload("cards[1].image", "Image", "green.png"),
            Type("cards[1].imageAlt", "Alternative text for Image", "Green square"),
        ),
    ),
    Recipe(
        "H5P.ImageSequencing",
        "H5P.ImageSequencing 1.1",
        "Colour order",
        {
            "taskDescription": "Drag to arrange the images in the correct sequence",
            "sequenceImages": [
                {"image": image_value("red.png"), "imageDescription": "Red square"},
                {"image": image_value("green.png"), "imageDescription": "Green square"},
                {"image": image_value("blue.png"), "imageDescription": "Blue square"},
            ],
            # Optional in the semantics, but the player reads it: the form fills in the
            # defaults of new content.
            "behaviour": {"enableSolution": True, "enableRetry": True, "enableResume": True},
        },
        answer_imagesequencing,
        (3, 3),
        images=("red.png", "green.png", "blue.png"),
        steps=(
            Upload("sequenceImages[0].image", "Image", "red.png"),
            Type("sequenceImages[0].imageDescription", "Image Description", "Red square"),
            Upload("sequenceImages[1].image", "Image", "green.png"),
            Type("sequenceImages[1].imageDescription", "Image Description", "Green square"),
            Upload("sequenceImages[2].image", "Image", "blue.png"),
            Type("sequenceImages[2].imageDescription", "Image Description", "Blue square"),
        ),
    ),
    Recipe(
        "H5P.Chart",
        "H5P.Chart 1.2",
        "Fruit",
        {
            "graphMode": "barChart",
            "listOfTypes": [
                {"text": "Apples", "value": 3},
                {"text": "Pears", "value": 5},
            ],
        },
        show_chart,
        None,
        steps=(
            Choose("graphMode", "Type of chart", "barChart"),
            Type("listOfTypes[0].text", "Name", "Apples"),
            Type("listOfTypes[0].value", "Value", "3"),
            # Two data elements to start with (defaultNum).
            Type("listOfTypes[1].text", "Name", "Pears"),
            Type("listOfTypes[1].value", "Value", "5"),
        ),
    ),
]

RECIPE_BY_NAME = {recipe.name: recipe for recipe in RECIPES}


def contains(stored: Any, expected: Any, path: str = "") -> list[str]:
    """Where ``stored`` differs from ``expected`` on the keys ``expected`` names (a stored
    object may hold more keys: defaults the form filled in, sub-content ids); lists must
    have the same length; rich text is compared without one wrapping paragraph."""
    if isinstance(expected, dict):
        if not isinstance(stored, dict):
            return [f"{path or '<root>'}: {stored!r} is not an object"]
        problems: list[str] = []
        for key, value in expected.items():
            where = f"{path}.{key}" if path else key
            if key not in stored:
                problems.append(f"{where}: missing")
            else:
                problems.extend(contains(stored[key], value, where))
        return problems
    if isinstance(expected, list):
        if not isinstance(stored, list) or len(stored) != len(expected):
            return [f"{path}: {stored!r} is not a list of {len(expected)}"]
        return [
            problem
            for index, (got, want) in enumerate(zip(stored, expected, strict=True))
            for problem in contains(got, want, f"{path}[{index}]")
        ]
    if isinstance(stored, str) and isinstance(expected, str):
        if unwrapped(stored) != unwrapped(expected):
            return [f"{path}: {stored!r} != {expected!r}"]
        return []
    if stored != expected:
        return [f"{path}: {stored!r} != {expected!r}"]
    return []


def unwrapped(html: str) -> str:
    """Rich text without the one paragraph (or div) around it: a field whose ``tags`` lack
    ``p`` is stored without it, one that allows it with it (or a default, as it is)."""
    match = re.fullmatch(r"\s*<(p|div)>(.*)</\1>\s*", html, re.S)
    return match.group(2) if match and "<p>" not in match.group(2) else html


# --- the defaults a new-content form fills in ---------------------------------------------------


def library_semantics(hub: Path, uber_name: str) -> list[dict[str, Any]]:
    """``semantics.json`` of ``uber_name`` ("H5P.MultiChoice 1.14") from a hub package."""
    machine_name, version = uber_name.split(" ")
    member = f"{machine_name}-{version}/semantics.json"
    for package in sorted(hub.glob("*.h5p")):
        with zipfile.ZipFile(package) as archive:
            if member in archive.namelist():
                loaded: list[dict[str, Any]] = json.loads(archive.read(member))
                return loaded
    raise LookupError(f"no hub package holds {member}")


def with_defaults(hub: Path, uber_name: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` plus the defaults H5P's editor writes for new content: every group
    exists, a field with a ``default`` gets it, a boolean without one is false; list items
    and chosen sub-content get the same treatment (h5peditor.js, processSemanticsChunk)."""
    return _fill_fields(hub, library_semantics(hub, uber_name), copy.deepcopy(params))


def _fill_fields(hub: Path, fields: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    for semantic in fields:
        name = semantic["name"]
        value = params.get(name)
        filled = _fill_value(hub, semantic, value)
        if filled is not None:
            params[name] = filled
    return params


def _fill_value(hub: Path, semantic: dict[str, Any], value: Any) -> Any:
    kind = semantic["type"]
    if kind == "group":
        inner = semantic["fields"]
        if len(inner) == 1:  # a one-field group stores the field's value itself
            return _fill_value(hub, inner[0], value)
        return _fill_fields(hub, inner, value if isinstance(value, dict) else {})
    if kind == "list":
        return [_fill_value(hub, semantic["field"], item) for item in value or []] or value
    if kind == "library":
        if isinstance(value, dict) and "library" in value:
            value["params"] = with_defaults(hub, value["library"], value.get("params", {}))
        return value
    if value is not None:
        return value
    if "default" in semantic:
        return copy.deepcopy(semantic["default"])
    if kind == "boolean":
        return False
    return None
