// H5P editor widget "html": a rich-text field limited to the semantics' `tags`, built on
// window.LearnLoopRichText (tiptap, /assets/vendor/richtext.js).
//
// H5P behaviour kept (h5p-editor-php-library scripts/h5peditor-html.js):
// - without `tags` the editor allows its default set strong, em, del, h2, h3, a, ul, ol,
//   table, hr; `br` is always allowed;
// - enterMode "p" writes paragraphs, otherwise blocks are <div> and a single line is
//   stored without a wrapper (CKEditor's ENTER_DIV), as DragQuestion's labels are.
// A value the teacher does not edit comes back as exactly the string it was.
(function () {
  "use strict";

  const DEFAULT_TAGS = ["strong", "em", "del", "h2", "h3", "a", "ul", "ol", "table", "hr"];

  const STRINGS = {
    formatting: "Formatting",
    bold: "Bold",
    italic: "Italic",
    underline: "Underline",
    strike: "Strikethrough",
    subscript: "Subscript",
    superscript: "Superscript",
    code: "Code",
    codeBlock: "Code block",
    heading: "Heading",
    bulletList: "Bulleted list",
    orderedList: "Numbered list",
    blockquote: "Quote",
    horizontalRule: "Horizontal line",
    table: "Insert table",
    link: "Link",
    linkUrl: "Link address (http, https or mailto)",
    applyLink: "Apply link",
    removeLink: "Remove link",
    cancel: "Cancel",
    invalidLink: "Links must start with http://, https:// or mailto:.",
    required: "This field is required.",
    tooLong: "The text is longer than the allowed :max characters.",
    unavailable: "The rich-text editor is not installed (run scripts/bootstrap); editing the HTML source.",
  };

  function translator(editor) {
    return (key) => {
      const translated = editor && typeof editor.t === "function" ? editor.t(key) : undefined;
      return translated && translated !== key ? translated : STRINGS[key] || key;
    };
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children || []) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  // The allowed tags of a field: its `tags` or H5P's defaults, plus br and the enter mode's block.
  function allowedTags(semantic) {
    const tags = (Array.isArray(semantic.tags) ? semantic.tags : DEFAULT_TAGS).map((tag) =>
      String(tag).toLowerCase(),
    );
    if (!tags.includes("br")) tags.push("br");
    if (semantic.enterMode === "p" && !tags.includes("p")) tags.push("p");
    return tags;
  }

  function textLength(html) {
    const template = document.createElement("template");
    // Without style attributes: parsing them is reported against the page's CSP.
    template.innerHTML = String(html || "").replace(/\s+style\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "");
    return (template.content.textContent || "").length;
  }

  // Toolbar buttons for the features the field allows (label key, symbol, action, attrs).
  function toolbarButtons(features) {
    const buttons = [];
    const add = (when, key, symbol, action, attrs, label) => {
      if (when) buttons.push({ key, symbol, action, attrs, label });
    };
    add(features.bold, "bold", "B", "bold");
    add(features.italic, "italic", "I", "italic");
    add(features.underline, "underline", "U", "underline");
    add(features.strike, "strike", "S", "strike");
    add(features.subscript, "subscript", "x₂", "subscript");
    add(features.superscript, "superscript", "x²", "superscript");
    add(features.code, "code", "</>", "code");
    for (const level of features.headings) {
      add(true, "heading", "H" + level, "heading", { level }, "H" + level);
    }
    add(features.bulletList, "bulletList", "•", "bulletList");
    add(features.orderedList, "orderedList", "1.", "orderedList");
    add(features.blockquote, "blockquote", "❝", "blockquote");
    add(features.codeBlock, "codeBlock", "{ }", "codeBlock");
    add(features.link, "link", "🔗", "link");
    add(features.horizontalRule, "horizontalRule", "―", "horizontalRule");
    add(features.table, "table", "▦", "table");
    return buttons;
  }

  function htmlWidget(field) {
    const { semantic, editor, id, path, mode } = field;
    const t = translator(editor);
    const original = field.value;
    const initial =
      original !== undefined ? String(original) : mode === "new" && semantic.default !== undefined ? String(semantic.default) : undefined;
    let dirty = false;

    const labelId = id + "-label";
    const descId = id + "-desc";
    const errorId = id + "-errors";
    const label = semantic.label || semantic.name;
    const root = el("div", { className: "ll-w-html", "data-path": path, "data-widget": "html" });
    root.appendChild(el("div", { className: "ll-w-label", id: labelId, text: label }));
    if (semantic.description) {
      root.appendChild(el("p", { className: "ll-w-description", id: descId, text: semantic.description }));
    }
    const describedBy = [semantic.description ? descId : null, errorId].filter(Boolean).join(" ");
    const errorBox = el("ul", { className: "ll-w-errors", id: errorId, hidden: true });
    const tags = allowedTags(semantic);
    const RichText = window.LearnLoopRichText;

    // Without the built bundle the field stays usable as an HTML source textarea.
    if (!RichText) {
      const textarea = el("textarea", {
        id: id,
        "aria-labelledby": labelId,
        "aria-describedby": describedBy,
        rows: 4,
      });
      textarea.value = initial || "";
      textarea.addEventListener("input", () => {
        dirty = true;
        if (editor && editor.changed) editor.changed();
      });
      root.append(el("p", { className: "ll-w-note", text: t("unavailable") }), textarea, errorBox);
      return finish(() => textarea.value, () => textarea.focus(), textarea);
    }

    const toolbar = el("div", {
      className: "ll-w-toolbar",
      role: "toolbar",
      "aria-label": t("formatting") + ": " + label,
      "aria-controls": id,
    });
    const area = el("div", { className: "ll-w-richtext" });
    const linkForm = el("div", { className: "ll-w-linkform", hidden: true });
    root.append(toolbar, linkForm, area, errorBox);

    let rich = null;
    const buttonElements = [];
    rich = RichText.create(area, {
      html: initial || "",
      tags,
      enterMode: semantic.enterMode,
      attributes: {
        id: id,
        role: "textbox",
        "aria-multiline": "true",
        "aria-labelledby": labelId,
        "aria-describedby": describedBy,
        class: "ll-w-richtext-input",
      },
      onChange() {
        dirty = true;
        if (editor && editor.changed) editor.changed();
      },
      onSelectionChange() {
        refreshPressed();
      },
    });

    function refreshPressed() {
      if (!rich) return;
      for (const { button, spec } of buttonElements) {
        if (["horizontalRule", "table"].includes(spec.action)) continue;
        button.setAttribute("aria-pressed", rich.isActive(spec.action, spec.attrs) ? "true" : "false");
      }
    }

    // Link editing: an inline address field instead of window.prompt, so it is reachable
    // by keyboard and screen readers; only http, https and mailto are taken.
    const linkInput = el("input", { type: "url", id: id + "-link", autocomplete: "off" });
    const linkError = el("p", { className: "ll-w-errors", id: id + "-link-error", hidden: true });
    linkInput.setAttribute("aria-describedby", linkError.id);
    function closeLinkForm() {
      linkForm.hidden = true;
      linkError.hidden = true;
      rich.focus();
    }
    function applyLink() {
      const href = linkInput.value.trim();
      if (!RichText.isAllowedLink(href)) {
        linkError.textContent = t("invalidLink");
        linkError.hidden = false;
        linkInput.setAttribute("aria-invalid", "true");
        linkInput.focus();
        return;
      }
      linkInput.removeAttribute("aria-invalid");
      rich.run("link", { href });
      closeLinkForm();
    }
    linkInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        applyLink();
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeLinkForm();
      }
    });
    linkForm.append(
      el("label", { for: linkInput.id, text: t("linkUrl") }),
      linkInput,
      el("button", { type: "button", className: "ll-w-button", text: t("applyLink"), onclick: applyLink }),
      el("button", {
        type: "button",
        className: "ll-w-button",
        text: t("removeLink"),
        onclick: () => {
          rich.run("link", {});
          closeLinkForm();
        },
      }),
      el("button", { type: "button", className: "ll-w-button", text: t("cancel"), onclick: closeLinkForm }),
      linkError,
    );

    for (const spec of toolbarButtons(rich.features)) {
      const name = spec.label ? t(spec.key) + " " + spec.label.slice(1) : t(spec.key);
      // The symbol is what sighted users see; the name is the button's text for assistive
      // technology (no aria-label, so the visible text never contradicts the name).
      const button = el("button", {
        type: "button",
        className: "ll-w-tool",
        title: name,
        "data-action": spec.action,
        // Keep the text selection: the toolbar acts on it.
        onmousedown: (event) => event.preventDefault(),
        onclick: () => {
          if (spec.action === "link") {
            linkInput.value = rich.linkHref();
            linkError.hidden = true;
            linkForm.hidden = false;
            linkInput.focus();
            return;
          }
          rich.run(spec.action, spec.attrs);
          refreshPressed();
        },
      });
      button.append(
        el("span", { "aria-hidden": "true", text: spec.symbol }),
        el("span", { className: "ll-visually-hidden", text: name }),
      );
      if (!["horizontalRule", "table"].includes(spec.action)) button.setAttribute("aria-pressed", "false");
      buttonElements.push({ button, spec });
      toolbar.appendChild(button);
    }
    // Roving focus inside the toolbar (WAI-ARIA toolbar pattern): arrows move, Tab leaves.
    buttonElements.forEach(({ button }, index) => {
      button.tabIndex = index === 0 ? 0 : -1;
      button.addEventListener("keydown", (event) => {
        const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        event.preventDefault();
        const next = buttonElements[(index + step + buttonElements.length) % buttonElements.length].button;
        button.tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
      });
    });
    refreshPressed();

    return finish(() => rich.getHTML(), () => rich.focus(), area.querySelector("[contenteditable]"));

    function finish(readHtml, focus, input) {
      function value() {
        if (!dirty) return initial;
        return readHtml();
      }
      return {
        element: root,
        getValue: value,
        validate() {
          const current = value();
          const messages = [];
          // Required as the server filter and the engine see it: only for new content or a
          // value the user edited (content missing a required field still opens and saves).
          const empty = current === undefined || (textLength(current) === 0 && !/<(img|hr|table)/i.test(current));
          if (!semantic.optional && empty && (dirty || mode === "new")) {
            messages.push(t("required"));
          }
          if (semantic.maxLength !== undefined && textLength(current) > semantic.maxLength) {
            messages.push(t("tooLong").replace(":max", String(semantic.maxLength)));
          }
          return messages;
        },
        showErrors(messages) {
          const list = messages || [];
          errorBox.replaceChildren(...list.map((message) => el("li", { text: message })));
          errorBox.hidden = list.length === 0;
          if (input) {
            if (list.length) input.setAttribute("aria-invalid", "true");
            else input.removeAttribute("aria-invalid");
          }
        },
        focus,
      };
    }
  }

  window.LearnLoopEditorWidgets = window.LearnLoopEditorWidgets || {};
  window.LearnLoopEditorWidgets.html = { htmlWidget, allowedTags, DEFAULT_TAGS };
  if (window.LearnLoopEditor && typeof window.LearnLoopEditor.registerWidget === "function") {
    window.LearnLoopEditor.registerWidget("html", htmlWidget);
  }
})();
