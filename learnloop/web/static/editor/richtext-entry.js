// Rich-text editing for the H5P editor's "html" widget, built from the npm @tiptap
// packages by scripts/bootstrap (esbuild, IIFE) into node_modules/.learnloop-build/richtext.js
// and served as /assets/vendor/richtext.js.
//
// window.LearnLoopRichText.create(element, {html, tags, enterMode, onChange, onSelectionChange})
//   → {getHTML(), isEmpty(), run(action, attrs), isActive(action), can(action), destroy(), focus(), view}
//
// The schema holds only what the field's semantics `tags` allow (H5P core's validateText
// strips every other tag on save), so pasted or loaded markup outside the list is reduced
// to its text by ProseMirror's parser instead of being kept and refused later.
import { Editor } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Subscript from "@tiptap/extension-subscript";
import Superscript from "@tiptap/extension-superscript";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";

// Link protocols the editor accepts (H5P core's filter_xss allows more; the brief keeps
// teachers to web and mail links).
const LINK_PROTOCOLS = ["http", "https", "mailto"];

export function isAllowedLink(url) {
  const text = String(url || "").trim();
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(text);
  if (!match) return false;
  const scheme = match[1].toLowerCase();
  if (!LINK_PROTOCOLS.includes(scheme)) return false;
  if (scheme === "mailto") return text.length > 7;
  return /^https?:\/\/[^\s/?#]+/i.test(text);
}

// Style attributes are never kept (no schema mark holds them), and parsing markup that has
// them makes Chromium report each one against the page's CSP (style-src 'self'), so they
// are taken out of the string before anything parses it.
const STYLE_ATTRIBUTE = /\s+style\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi;

export function withoutStyles(html) {
  return String(html || "").replace(STYLE_ATTRIBUTE, "");
}

function has(tags, ...names) {
  return names.some((name) => tags.has(name));
}

// What the field allows, as tiptap features and output tag names.
export function featuresFor(tagList, enterMode) {
  const tags = new Set((tagList || []).map((tag) => String(tag).toLowerCase()));
  const headings = [1, 2, 3, 4, 5, 6].filter((level) => tags.has("h" + level));
  const lists = has(tags, "ul", "ol");
  const blockMode = tags.has("p") || enterMode === "p" ? "p" : "div";
  return {
    tags,
    bold: has(tags, "strong", "b"),
    italic: has(tags, "em", "i"),
    underline: tags.has("u"),
    strike: has(tags, "s", "del", "strike"),
    subscript: tags.has("sub"),
    superscript: tags.has("sup"),
    code: tags.has("code"),
    codeBlock: tags.has("pre"),
    link: tags.has("a"),
    headings,
    bulletList: tags.has("ul"),
    orderedList: tags.has("ol"),
    lists,
    blockquote: tags.has("blockquote"),
    table: tags.has("table"),
    horizontalRule: tags.has("hr"),
    hardBreak: true,
    blockMode,
    // Output names: tiptap writes <strong>, <em>, <s>; use the spelling the field allows.
    rename: {
      strong: tags.has("strong") ? null : "b",
      em: tags.has("em") ? null : "i",
      s: tags.has("s") ? null : tags.has("del") ? "del" : "strike",
      p: blockMode === "p" ? null : "div",
    },
  };
}

function extensionsFor(features) {
  const kit = StarterKit.configure({
    bold: features.bold ? {} : false,
    italic: features.italic ? {} : false,
    underline: features.underline ? {} : false,
    strike: features.strike ? {} : false,
    code: features.code ? {} : false,
    codeBlock: features.codeBlock ? {} : false,
    heading: features.headings.length ? { levels: features.headings } : false,
    bulletList: features.bulletList ? {} : false,
    orderedList: features.orderedList ? {} : false,
    listItem: features.lists ? {} : false,
    listKeymap: features.lists ? {} : false,
    blockquote: features.blockquote ? {} : false,
    horizontalRule: features.horizontalRule ? {} : false,
    link: features.link
      ? {
          openOnClick: false,
          autolink: false,
          linkOnPaste: false,
          protocols: [],
          HTMLAttributes: { target: null, rel: null, class: null },
          isAllowedUri: (url) => isAllowedLink(url),
        }
      : false,
    trailingNode: false,
    dropcursor: false,
    gapcursor: false,
  });
  const extensions = [kit];
  if (features.subscript) extensions.push(Subscript);
  if (features.superscript) extensions.push(Superscript);
  if (features.table) {
    extensions.push(
      Table.configure({ resizable: false, renderWrapper: false }),
      TableRow,
      TableHeader,
      TableCell,
    );
  }
  return extensions;
}

// tiptap's HTML → the HTML the field's tag list allows.
function normaliseOutput(html, features) {
  const template = document.createElement("template");
  template.innerHTML = withoutStyles(html);
  const root = template.content;
  for (const [from, to] of Object.entries(features.rename)) {
    if (!to) continue;
    for (const element of Array.from(root.querySelectorAll(from))) {
      const replacement = document.createElement(to);
      for (const attribute of Array.from(element.attributes)) {
        replacement.setAttribute(attribute.name, attribute.value);
      }
      while (element.firstChild) replacement.appendChild(element.firstChild);
      element.replaceWith(replacement);
    }
  }
  // The table extension adds a <colgroup> with widths and inline min-width styles for its
  // own layout; H5P tables carry neither.
  for (const colgroup of Array.from(root.querySelectorAll("colgroup"))) colgroup.remove();
  for (const cell of Array.from(root.querySelectorAll("td, th"))) {
    for (const name of ["colspan", "rowspan"]) {
      if (cell.getAttribute(name) === "1") cell.removeAttribute(name);
    }
    if (cell.getAttribute("colwidth") !== null) cell.removeAttribute("colwidth");
  }
  // enterMode "div" (H5P's CKEditor ENTER_DIV): one line is stored without a wrapper,
  // e.g. DragQuestion's drop-zone labels.
  if (features.blockMode === "div" && root.children.length === 1) {
    const only = root.children[0];
    if (only.tagName === "DIV" && root.childNodes.length === 1) {
      return only.innerHTML;
    }
  }
  return template.innerHTML;
}

const ACTIONS = {
  bold: (chain) => chain.toggleBold(),
  italic: (chain) => chain.toggleItalic(),
  underline: (chain) => chain.toggleUnderline(),
  strike: (chain) => chain.toggleStrike(),
  subscript: (chain) => chain.toggleSubscript(),
  superscript: (chain) => chain.toggleSuperscript(),
  code: (chain) => chain.toggleCode(),
  codeBlock: (chain) => chain.toggleCodeBlock(),
  bulletList: (chain) => chain.toggleBulletList(),
  orderedList: (chain) => chain.toggleOrderedList(),
  blockquote: (chain) => chain.toggleBlockquote(),
  horizontalRule: (chain) => chain.setHorizontalRule(),
  heading: (chain, attrs) => chain.toggleHeading({ level: attrs.level }),
  table: (chain) => chain.insertTable({ rows: 2, cols: 2, withHeaderRow: false }),
  link: (chain, attrs) =>
    attrs && attrs.href
      ? chain.extendMarkRange("link").setLink({ href: attrs.href })
      : chain.extendMarkRange("link").unsetLink(),
  undo: (chain) => chain.undo(),
  redo: (chain) => chain.redo(),
};

const ACTIVE_NAMES = {
  bold: "bold",
  italic: "italic",
  underline: "underline",
  strike: "strike",
  subscript: "subscript",
  superscript: "superscript",
  code: "code",
  codeBlock: "codeBlock",
  bulletList: "bulletList",
  orderedList: "orderedList",
  blockquote: "blockquote",
  heading: "heading",
  link: "link",
  table: "table",
};

export function create(element, options) {
  const settings = options || {};
  const features = featuresFor(settings.tags, settings.enterMode);
  const editor = new Editor({
    element,
    extensions: extensionsFor(features),
    content: withoutStyles(settings.html),
    // The page's CSP allows no inline <style>; widgets.css carries ProseMirror's base rules.
    injectCSS: false,
    // H5P's text types mark answers with asterisks (Blanks "*blue*", MarkTheWords "*cat*");
    // tiptap's markdown shortcuts would turn what the teacher types or pastes into <em>.
    // H5P's own CKEditor has no such shortcuts: text stays as typed, formatting comes from
    // the toolbar.
    enableInputRules: false,
    enablePasteRules: false,
    editorProps: {
      attributes: settings.attributes || {},
    },
    onUpdate: () => {
      if (settings.onChange) settings.onChange();
    },
    onSelectionUpdate: () => {
      if (settings.onSelectionChange) settings.onSelectionChange();
    },
    onTransaction: () => {
      if (settings.onSelectionChange) settings.onSelectionChange();
    },
  });
  return {
    features,
    view: editor.view,
    getHTML() {
      if (editor.isEmpty) return "";
      return normaliseOutput(editor.getHTML(), features);
    },
    isEmpty() {
      return editor.isEmpty;
    },
    run(action, attrs) {
      const apply = ACTIONS[action];
      if (!apply) return false;
      return apply(editor.chain().focus(), attrs || {}).run();
    },
    isActive(action, attrs) {
      const name = ACTIVE_NAMES[action];
      return name ? editor.isActive(name, attrs || {}) : false;
    },
    linkHref() {
      return editor.getAttributes("link").href || "";
    },
    focus() {
      editor.commands.focus();
    },
    destroy() {
      editor.destroy();
    },
  };
}

window.LearnLoopRichText = { create, featuresFor, isAllowedLink, withoutStyles };
