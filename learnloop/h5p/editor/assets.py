"""The editor's own scripts and styles, in load order: the one list the editor model
(``GET /h5p/new``) and the editor page serve. The files live under
learnloop/web/static/editor/ and the rich-text bundle under /assets/vendor/."""

from __future__ import annotations

# engine.js first: the widget files register themselves with it when they load.
EDITOR_SCRIPTS: tuple[str, ...] = (
    "/assets/static/editor/engine.js",
    "/assets/vendor/richtext.js",
    "/assets/static/editor/widgets-media.js",
    "/assets/static/editor/widget-html.js",
    "/assets/static/editor/visual-dragquestion.js",
    "/assets/static/editor/visual-imagehotspots.js",
)
EDITOR_STYLES: tuple[str, ...] = (
    "/assets/static/editor/editor.css",
    "/assets/static/editor/widgets.css",
)
