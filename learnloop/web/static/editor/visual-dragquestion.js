// H5P editor widgets for H5P.DragQuestion: "dragQuestion" (the task group: draggables and
// drop zones placed on the background) and "dimensions" (the task size, which follows the
// background image as H5P's dimensions widget does).
//
// Data model (H5P.DragQuestion semantics and runtime):
// - x, y: percent of the stage's width / height (top-left corner);
// - width, height: em, where 1em is 16px when the stage is shown at settings.size.width;
// - elements[i].dropZones: the drop zones (index strings) element i may be dropped into;
//   dropZones[j].correctElements: the elements (index strings) that are correct in zone j.
// Items the teacher does not touch are returned with the values they came with.
(function () {
  "use strict";

  const BASE_FONT_PX = 16;
  const DEFAULT_SIZE = { width: 620, height: 310 };

  const STRINGS = {
    stage: "Task: place draggables and drop zones on the background",
    stageHelp:
      "Select an item to edit it. Drag it with the pointer or use the arrow keys to move it; Shift and the arrow keys resize it.",
    addText: "Add text",
    addImage: "Add image",
    addDropZone: "Add drop zone",
    draggable: "Draggable",
    dropZone: "Drop zone",
    deleteItem: "Delete",
    done: "Done",
    noSelection: "Select an item on the stage or add one.",
    position: "Position and size",
    x: "X (% of width)",
    y: "Y (% of height)",
    width: "Width (em)",
    height: "Height (em)",
    dropsInto: "Drop zones this draggable can be dropped into",
    correctElements: "Correct draggables for this drop zone",
    noDropZones: "No drop zones yet.",
    noElements: "No draggables yet.",
    needsElements: "Add at least one draggable.",
    needsDropZones: "Add at least one drop zone.",
    resize: "Resize",
    emptyText: "(empty text)",
    image: "Image",
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

  function bus() {
    return window.LearnLoopEditorBus;
  }

  function plainText(html) {
    const template = document.createElement("template");
    // Without style attributes: parsing them is reported against the page's CSP.
    template.innerHTML = String(html || "").replace(/\s+style\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "");
    return (template.content.textContent || "").trim();
  }

  function round(value) {
    return Math.round(value * 1000) / 1000;
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
      const r = (Math.random() * 16) | 0;
      return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
    });
  }

  // Default of a scalar field for a new item (H5P fills semantics defaults in new items).
  function defaultOf(fieldSemantic) {
    if (fieldSemantic.default !== undefined) return JSON.parse(JSON.stringify(fieldSemantic.default));
    if (fieldSemantic.type === "boolean") return false;
    return undefined;
  }

  function fieldByName(fields, name) {
    return (fields || []).find((item) => item.name === name);
  }

  const GEOMETRY = ["x", "y", "width", "height"];

  // --- "dimensions": the task size ------------------------------------------------------
  function dimensionsWidget(field) {
    const { semantic, editor, id, path, mode } = field;
    const original = field.value;
    const defaults = semantic.default || DEFAULT_SIZE;
    const start =
      original !== undefined
        ? original
        : mode === "new"
          ? { width: defaults.width || DEFAULT_SIZE.width, height: defaults.height || DEFAULT_SIZE.height }
          : undefined;
    let changed = false;
    let current = start ? { width: start.width, height: start.height } : { width: "", height: "" };
    const labelId = id + "-label";
    const root = el("fieldset", { className: "ll-w-dimensions", "data-path": path, "data-widget": "dimensions" });
    root.appendChild(el("legend", { id: labelId, text: semantic.label || semantic.name }));
    if (semantic.description) root.appendChild(el("p", { className: "ll-w-description", text: semantic.description }));
    const inputs = {};
    for (const key of ["width", "height"] ) {
      const sub = fieldByName(semantic.fields, key) || { label: key };
      const input = el("input", { type: "number", id: id + "-" + key, min: 1, step: 1, value: current[key] });
      input.addEventListener("input", () => {
        changed = true;
        current[key] = input.value === "" ? "" : Number(input.value);
        publish();
        if (editor && editor.changed) editor.changed();
      });
      inputs[key] = input;
      root.appendChild(
        el("div", { className: "ll-w-row" }, [
          el("label", { for: input.id, text: (sub.label || key) + " (px)" }),
          input,
        ]),
      );
    }
    const errorBox = el("ul", { className: "ll-w-errors", id: id + "-errors", hidden: true });
    root.appendChild(errorBox);
    function value() {
      if (!changed) return start;
      const out = start ? Object.assign({}, start) : {};
      out.width = current.width;
      out.height = current.height;
      return out;
    }
    function publish() {
      if (bus()) bus().publish(path, value());
    }
    // H5P's dimensions widget takes the size of a newly chosen image.
    const imageField = (semantic.default && semantic.default.field) || "background";
    let firstImage = true;
    let seenImage;
    if (bus()) {
      bus().follow(path, imageField, (entry) => {
        const image = entry && entry.value;
        if (firstImage) {
          firstImage = false;
          seenImage = image;
          return;
        }
        if (!image || image === seenImage || !image.width || !image.height) return;
        seenImage = image;
        changed = true;
        current = { width: Number(image.width), height: Number(image.height) };
        inputs.width.value = current.width;
        inputs.height.value = current.height;
        publish();
        if (editor && editor.changed) editor.changed();
      });
    }
    publish();
    return {
      element: root,
      getValue: value,
      validate() {
        const now = value();
        if (now === undefined) return [];
        const bad = ["width", "height"].filter((key) => !(Number(now[key]) > 0));
        return bad.length ? ["Width and height must be positive numbers."] : [];
      },
      showErrors(messages) {
        errorBox.replaceChildren(...(messages || []).map((message) => el("li", { text: message })));
        errorBox.hidden = !(messages || []).length;
        for (const input of Object.values(inputs)) {
          if ((messages || []).length) input.setAttribute("aria-invalid", "true");
          else input.removeAttribute("aria-invalid");
        }
      },
      focus() {
        inputs.width.focus();
      },
    };
  }

  // --- "dragQuestion": the stage ---------------------------------------------------------
  function dragQuestionWidget(field) {
    const { semantic, editor, id, path, mode } = field;
    const t = translator(editor);
    const elementsSemantic = fieldByName(semantic.fields, "elements");
    const dropZonesSemantic = fieldByName(semantic.fields, "dropZones");
    const elementFields = elementsSemantic.field.fields;
    const dropZoneFields = dropZonesSemantic.field.fields;
    const libraryOptions = (fieldByName(elementFields, "type").options || []).map((option) =>
      typeof option === "object" ? option.name : option,
    );
    const original = field.value;
    let structureChanged = original === undefined && mode === "new";

    // Items: {kind: "element"|"dropZone", original, geometry, links, form, widgets, node}
    function makeItem(kind, source) {
      return {
        kind,
        original: source,
        geometry: source ? null : undefined,
        links: null,
        widgets: null,
        form: null,
        node: null,
        fresh: source === undefined ? {} : null,
      };
    }
    const elements = ((original && original.elements) || []).map((item) => makeItem("element", item));
    const dropZones = ((original && original.dropZones) || []).map((item) => makeItem("dropZone", item));
    let selected = null;
    let size = Object.assign({}, DEFAULT_SIZE);
    let backgroundUrl = null;

    // Current data of an item (what getValue would write for it).
    function geometryOf(item) {
      if (item.geometry) return item.geometry;
      const source = item.original || item.fresh;
      return { x: source.x, y: source.y, width: source.width, height: source.height };
    }
    function linksOf(item) {
      if (item.links) return item.links;
      const source = item.original || item.fresh;
      const key = item.kind === "element" ? "dropZones" : "correctElements";
      return (source[key] || []).slice();
    }
    function setLinks(item, list) {
      item.links = list;
      structureChanged = true;
    }
    function fieldValue(item, name) {
      if (item.widgets && item.widgets[name]) return item.widgets[name].getValue();
      const source = item.original || item.fresh;
      return source[name];
    }
    function fieldsOf(item) {
      return item.kind === "element" ? elementFields : dropZoneFields;
    }
    function linkKey(item) {
      return item.kind === "element" ? "dropZones" : "correctElements";
    }
    function itemPath(item) {
      const list = item.kind === "element" ? elements : dropZones;
      return path + "." + (item.kind === "element" ? "elements" : "dropZones") + "[" + list.indexOf(item) + "]";
    }

    function itemValue(item) {
      const untouched = !item.geometry && !item.links && !item.widgets && item.original;
      if (untouched) return item.original;
      const source = item.original || item.fresh;
      const out = {};
      const order = Object.keys(source);
      for (const sub of fieldsOf(item)) if (!order.includes(sub.name)) order.push(sub.name);
      for (const name of order) {
        let value;
        if (GEOMETRY.includes(name)) value = item.geometry ? item.geometry[name] : source[name];
        else if (name === linkKey(item)) value = item.links ? item.links : source[name];
        else if (fieldByName(fieldsOf(item), name)) value = fieldValue(item, name);
        else value = source[name];
        if (value !== undefined) out[name] = value;
      }
      return out;
    }

    function value() {
      const changed = structureChanged || elements.some((i) => i.widgets || i.geometry || i.links) || dropZones.some((i) => i.widgets || i.geometry || i.links);
      if (!changed && original !== undefined) {
        // Nested widgets return their own values unchanged; geometry and links are untouched.
        return original;
      }
      if (!changed && original === undefined) return undefined;
      const out = {};
      const order = original ? Object.keys(original) : [];
      for (const name of ["elements", "dropZones"]) if (!order.includes(name)) order.push(name);
      for (const name of order) {
        if (name === "elements") out.elements = elements.map(itemValue);
        else if (name === "dropZones") out.dropZones = dropZones.map(itemValue);
        else out[name] = original[name];
      }
      return out;
    }

    function changed() {
      if (editor && editor.changed) editor.changed();
    }

    // --- DOM ---------------------------------------------------------------------------
    const root = el("div", { className: "ll-dq", "data-path": path, "data-widget": "dragQuestion" });
    const labelId = id + "-label";
    const helpId = id + "-help";
    root.appendChild(el("div", { className: "ll-w-label", id: labelId, text: semantic.label || t("stage") }));
    root.appendChild(el("p", { className: "ll-w-description", id: helpId, text: t("stageHelp") }));
    const toolbar = el("div", { className: "ll-dq-toolbar", role: "toolbar", "aria-label": t("stage") });
    const libraryButtons = [];
    for (const library of libraryOptions) {
      const machine = library.split(" ")[0];
      const kindKey = machine === "H5P.Image" ? "addImage" : machine === "H5P.AdvancedText" ? "addText" : null;
      const text = kindKey ? t(kindKey) : "Add " + machine.replace(/^H5P\./, "");
      libraryButtons.push(
        el("button", { type: "button", className: "ll-w-button", text, onclick: () => addElement(library) }),
      );
    }
    toolbar.append(
      ...libraryButtons,
      el("button", { type: "button", className: "ll-w-button", text: t("addDropZone"), onclick: addDropZone }),
    );
    const stage = el("div", {
      className: "ll-dq-stage",
      role: "group",
      "aria-labelledby": labelId,
      "aria-describedby": helpId,
    });
    const panel = el("div", { className: "ll-dq-panel", role: "region", "aria-label": t("noSelection") });
    const errorBox = el("ul", { className: "ll-w-errors", id: id + "-errors", hidden: true });
    const live = el("p", { className: "ll-visually-hidden", role: "status", "aria-live": "polite" });
    root.append(toolbar, stage, errorBox, live, panel);

    function emPx() {
      const width = stage.clientWidth || Number(size.width) || DEFAULT_SIZE.width;
      return BASE_FONT_PX * (width / (Number(size.width) || DEFAULT_SIZE.width));
    }

    function layoutStage() {
      const ratio = (Number(size.height) || DEFAULT_SIZE.height) / (Number(size.width) || DEFAULT_SIZE.width);
      stage.style.maxWidth = (Number(size.width) || DEFAULT_SIZE.width) + "px";
      stage.style.aspectRatio = (Number(size.width) || DEFAULT_SIZE.width) + " / " + (Number(size.height) || DEFAULT_SIZE.height);
      stage.style.setProperty("--ll-dq-ratio", String(ratio));
      stage.style.fontSize = emPx() + "px";
      stage.style.backgroundImage = backgroundUrl ? 'url("' + backgroundUrl.replace(/"/g, "%22") + '")' : "";
    }

    function itemName(item) {
      const list = item.kind === "element" ? elements : dropZones;
      return (item.kind === "element" ? t("draggable") : t("dropZone")) + " " + (list.indexOf(item) + 1);
    }

    function itemCaption(item) {
      if (item.kind === "dropZone") {
        const label = plainText(fieldValue(item, "label"));
        return label;
      }
      const type = fieldValue(item, "type") || {};
      const params = type.params || {};
      if ((type.library || "").startsWith("H5P.Image")) {
        return params.alt || t("image");
      }
      return plainText(params.text) || t("emptyText");
    }

    function renderItem(item) {
      if (!item.node) {
        const handle = el("span", { className: "ll-dq-handle", "aria-hidden": "true" });
        item.node = el("div", {
          className: "ll-dq-item ll-dq-" + item.kind,
          tabindex: 0,
          role: "button",
        });
        item.caption = el("span", { className: "ll-dq-caption" });
        item.node.append(item.caption, handle);
        attachPointer(item, handle);
        attachKeyboard(item);
        stage.appendChild(item.node);
      }
      const g = geometryOf(item);
      item.node.style.left = (Number(g.x) || 0) + "%";
      item.node.style.top = (Number(g.y) || 0) + "%";
      item.node.style.width = (Number(g.width) || 0) + "em";
      item.node.style.height = (Number(g.height) || 0) + "em";
      const caption = itemCaption(item);
      const type = item.kind === "element" ? fieldValue(item, "type") || {} : {};
      const image = type.params && type.params.file && type.params.file.path;
      item.caption.replaceChildren();
      if (image) {
        item.caption.appendChild(el("img", { src: editor.fileUrl(image), alt: "" }));
      } else {
        item.caption.textContent = caption;
      }
      item.node.setAttribute(
        "aria-label",
        itemName(item) + (caption ? ": " + caption : "") + ". x " + round(Number(g.x) || 0) + "%, y " + round(Number(g.y) || 0) + "%, " + round(Number(g.width) || 0) + " by " + round(Number(g.height) || 0) + " em",
      );
      item.node.setAttribute("aria-pressed", selected === item ? "true" : "false");
      item.node.classList.toggle("ll-dq-selected", selected === item);
    }

    function renderAll() {
      layoutStage();
      for (const item of elements.concat(dropZones)) renderItem(item);
    }

    function setGeometry(item, next) {
      const g = Object.assign({}, geometryOf(item), next);
      g.x = round(Math.max(0, Math.min(100, g.x)));
      g.y = round(Math.max(0, Math.min(100, g.y)));
      g.width = round(Math.max(1, g.width));
      g.height = round(Math.max(1, g.height));
      item.geometry = g;
      renderItem(item);
      if (selected === item) syncGeometryInputs(item);
      changed();
    }

    // Pointer: drag the item to move it, drag its corner handle to resize it.
    function attachPointer(item, handle) {
      function start(event, resizing) {
        if (event.button !== undefined && event.button !== 0) return;
        event.preventDefault();
        event.stopPropagation();
        select(item, false);
        const rect = stage.getBoundingClientRect();
        const g = geometryOf(item);
        const origin = { px: event.clientX, py: event.clientY, g: Object.assign({}, g) };
        const target = event.currentTarget;
        if (target.setPointerCapture && event.pointerId !== undefined) {
          try {
            target.setPointerCapture(event.pointerId);
          } catch (error) {
            // Synthetic pointers cannot be captured; moving still works through the document.
          }
        }
        function move(moveEvent) {
          const dx = moveEvent.clientX - origin.px;
          const dy = moveEvent.clientY - origin.py;
          if (resizing) {
            setGeometry(item, {
              width: Number(origin.g.width) + dx / emPx(),
              height: Number(origin.g.height) + dy / emPx(),
            });
          } else {
            setGeometry(item, {
              x: Number(origin.g.x) + (dx / rect.width) * 100,
              y: Number(origin.g.y) + (dy / rect.height) * 100,
            });
          }
        }
        function end() {
          document.removeEventListener("pointermove", move);
          document.removeEventListener("pointerup", end);
          document.removeEventListener("pointercancel", end);
          item.node.focus();
        }
        document.addEventListener("pointermove", move);
        document.addEventListener("pointerup", end);
        document.addEventListener("pointercancel", end);
      }
      item.node.addEventListener("pointerdown", (event) => start(event, false));
      handle.addEventListener("pointerdown", (event) => start(event, true));
    }

    // Keyboard: arrows move by 1% (Alt: 0.1%), Shift+arrows resize by 0.5em, Enter/Space select.
    function attachKeyboard(item) {
      item.node.addEventListener("keydown", (event) => {
        const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
        if (arrows[event.key]) {
          event.preventDefault();
          const [dx, dy] = arrows[event.key];
          const g = geometryOf(item);
          if (event.shiftKey) {
            setGeometry(item, { width: Number(g.width) + dx * 0.5, height: Number(g.height) + dy * 0.5 });
          } else {
            const step = event.altKey ? 0.1 : 1;
            setGeometry(item, { x: Number(g.x) + dx * step, y: Number(g.y) + dy * step });
          }
          const now = geometryOf(item);
          live.textContent = itemName(item) + ": x " + now.x + "%, y " + now.y + "%, " + now.width + " by " + now.height + " em";
        } else if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(item, true);
        } else if (event.key === "Delete") {
          event.preventDefault();
          removeItem(item);
        }
      });
      item.node.addEventListener("click", () => select(item, false));
    }

    // --- side form --------------------------------------------------------------------
    const geometryInputs = {};
    function syncGeometryInputs(item) {
      const g = geometryOf(item);
      for (const key of GEOMETRY) {
        if (geometryInputs[key] && document.activeElement !== geometryInputs[key]) {
          geometryInputs[key].value = g[key] === undefined ? "" : g[key];
        }
      }
    }

    function buildForm(item) {
      if (item.form) return item.form;
      const form = el("div", { className: "ll-dq-form" });
      item.widgets = {};
      const base = itemPath(item);
      for (const sub of fieldsOf(item)) {
        if (GEOMETRY.includes(sub.name) || sub.name === linkKey(item)) continue;
        const source = item.original || item.fresh;
        // New items fill their defaults (editor contract §2: defaults for new list items).
        const widget = editor.buildField(sub, source[sub.name], base + "." + sub.name, item.original ? undefined : "new");
        item.widgets[sub.name] = widget;
        form.appendChild(widget.element);
      }
      // The stage caption follows the text / label / image as the teacher edits them.
      form.addEventListener("input", () => renderItem(item));
      form.addEventListener("change", () => renderItem(item));
      item.form = form;
      return form;
    }

    function linkChooser(item) {
      const isElement = item.kind === "element";
      const others = isElement ? dropZones : elements;
      const chosen = linksOf(item);
      const legend = isElement ? t("dropsInto") : t("correctElements");
      const box = el("fieldset", { className: "ll-dq-links" }, [el("legend", { text: legend })]);
      if (!others.length) {
        box.appendChild(el("p", { text: isElement ? t("noDropZones") : t("noElements") }));
        return box;
      }
      others.forEach((other, index) => {
        const input = el("input", {
          type: "checkbox",
          id: id + "-link-" + item.kind + "-" + index,
          value: String(index),
        });
        input.checked = chosen.includes(String(index));
        input.addEventListener("change", () => {
          const list = linksOf(item).filter((entry) => entry !== String(index));
          if (input.checked) list.push(String(index));
          list.sort((a, b) => Number(a) - Number(b));
          setLinks(item, list);
          // A draggable that is correct in a zone must be droppable there (H5P lists only
          // such draggables as options for correctElements).
          if (!isElement && input.checked) {
            const element = elements[index];
            const zones = linksOf(element);
            const own = String(dropZones.indexOf(item));
            if (!zones.includes(own)) {
              zones.push(own);
              zones.sort((a, b) => Number(a) - Number(b));
              setLinks(element, zones);
            }
          }
          if (isElement && !input.checked) {
            const zone = dropZones[index];
            const own = String(elements.indexOf(item));
            const correct = linksOf(zone);
            if (correct.includes(own)) setLinks(zone, correct.filter((entry) => entry !== own));
          }
          changed();
        });
        const caption = itemCaption(other);
        box.appendChild(
          el("div", { className: "ll-w-check" }, [
            input,
            el("label", { for: input.id, text: itemName(other) + (caption ? ": " + caption : "") }),
          ]),
        );
      });
      return box;
    }

    function showPanel(item, focusForm) {
      panel.replaceChildren();
      if (!item) {
        panel.setAttribute("aria-label", t("noSelection"));
        panel.appendChild(el("p", { text: t("noSelection") }));
        return;
      }
      panel.setAttribute("aria-label", itemName(item));
      const heading = el("h3", { className: "ll-dq-heading", text: itemName(item), tabindex: -1 });
      panel.appendChild(heading);
      const geometryBox = el("fieldset", { className: "ll-dq-geometry" }, [el("legend", { text: t("position") })]);
      for (const key of GEOMETRY) {
        const input = el("input", { type: "number", step: "any", id: id + "-geo-" + key });
        input.addEventListener("change", () => {
          if (input.value === "" || Number.isNaN(Number(input.value))) return;
          setGeometry(item, { [key]: Number(input.value) });
        });
        geometryInputs[key] = input;
        geometryBox.appendChild(el("div", { className: "ll-w-row" }, [el("label", { for: input.id, text: t(key) }), input]));
      }
      panel.appendChild(geometryBox);
      syncGeometryInputs(item);
      panel.appendChild(linkChooser(item));
      panel.appendChild(buildForm(item));
      panel.appendChild(
        el("div", { className: "ll-dq-actions" }, [
          el("button", {
            type: "button",
            className: "ll-w-button",
            text: t("done"),
            onclick: () => {
              const node = item.node;
              select(null, false);
              if (node) node.focus();
            },
          }),
          el("button", {
            type: "button",
            className: "ll-w-button ll-w-danger",
            text: t("deleteItem") + " " + itemName(item),
            onclick: () => removeItem(item),
          }),
        ]),
      );
      if (focusForm) heading.focus();
    }

    function select(item, focusForm) {
      const previous = selected;
      selected = item;
      if (previous && previous !== item && previous.node) renderItem(previous);
      if (item) renderItem(item);
      if (previous !== item || focusForm || !item) showPanel(item, focusForm);
    }

    function addElement(library) {
      const machine = library.split(" ")[0];
      const isText = machine === "H5P.AdvancedText";
      const fresh = {};
      for (const sub of elementFields) {
        const def = defaultOf(sub);
        if (def !== undefined) fresh[sub.name] = def;
      }
      const title = isText ? "Text" : machine.replace(/^H5P\./, "");
      fresh.type = {
        library,
        params: {},
        subContentId: uuid(),
        metadata: { contentType: title, license: "U", title: "Untitled " + title },
      };
      Object.assign(fresh, { x: 0, y: 0, width: 5, height: isText ? 1.25 : 5, dropZones: [] });
      const item = makeItem("element", undefined);
      item.fresh = fresh;
      elements.push(item);
      structureChanged = true;
      renderItem(item);
      select(item, true);
      changed();
    }

    function addDropZone() {
      const fresh = {};
      for (const sub of dropZoneFields) {
        const def = defaultOf(sub);
        if (def !== undefined && sub.type !== "group") fresh[sub.name] = def;
      }
      Object.assign(fresh, { x: 0, y: 0, width: 5, height: 2.5, correctElements: [] });
      if (fresh.label === undefined) fresh.label = "";
      const item = makeItem("dropZone", undefined);
      item.fresh = fresh;
      dropZones.push(item);
      structureChanged = true;
      renderItem(item);
      select(item, true);
      changed();
    }

    // Deleting renumbers the references the other kind holds (H5P editor behaviour).
    function removeItem(item) {
      const isElement = item.kind === "element";
      const list = isElement ? elements : dropZones;
      const index = list.indexOf(item);
      if (index < 0) return;
      for (const other of isElement ? dropZones : elements) {
        const refs = linksOf(other);
        const next = refs
          .filter((entry) => entry !== String(index))
          .map((entry) => (Number(entry) > index ? String(Number(entry) - 1) : entry));
        if (JSON.stringify(next) !== JSON.stringify(refs)) setLinks(other, next);
      }
      list.splice(index, 1);
      if (item.node) item.node.remove();
      structureChanged = true;
      select(null, false);
      renderAll();
      const focusTarget = (list[Math.min(index, list.length - 1)] || {}).node || toolbar.querySelector("button");
      if (focusTarget) focusTarget.focus();
      changed();
    }

    // Background image and size come from the sibling settings group.
    if (bus()) {
      bus().follow(path, "settings.background", (entry) => {
        backgroundUrl = entry && entry.value ? entry.extra.url : null;
        layoutStage();
      });
      bus().follow(path, "settings.size", (entry) => {
        if (entry && entry.value && Number(entry.value.width) > 0 && Number(entry.value.height) > 0) {
          size = { width: Number(entry.value.width), height: Number(entry.value.height) };
        }
        renderAll();
      });
    }
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => {
        stage.style.fontSize = emPx() + "px";
      }).observe(stage);
    }
    renderAll();
    showPanel(null, false);

    return {
      element: root,
      getValue: value,
      validate() {
        const messages = [];
        const now = value();
        if (!now) return messages;
        if (!now.elements || !now.elements.length) messages.push(t("needsElements"));
        if (!now.dropZones || !now.dropZones.length) messages.push(t("needsDropZones"));
        for (const item of elements.concat(dropZones)) {
          if (!item.widgets) continue;
          for (const widget of Object.values(item.widgets)) {
            const problems = widget.validate ? widget.validate() : [];
            if (widget.showErrors) widget.showErrors(problems);
            if (problems.length) messages.push(itemName(item) + ": " + problems.join(" "));
          }
        }
        return messages;
      },
      showErrors(messages) {
        const list = messages || [];
        errorBox.replaceChildren(...list.map((message) => el("li", { text: message })));
        errorBox.hidden = list.length === 0;
      },
      focus() {
        const first = elements.concat(dropZones)[0];
        (first && first.node ? first.node : toolbar.querySelector("button")).focus();
      },
    };
  }

  window.LearnLoopEditorWidgets = window.LearnLoopEditorWidgets || {};
  window.LearnLoopEditorWidgets.dragQuestion = { dragQuestionWidget, dimensionsWidget };
  if (window.LearnLoopEditor && typeof window.LearnLoopEditor.registerWidget === "function") {
    window.LearnLoopEditor.registerWidget("dragQuestion", dragQuestionWidget);
    window.LearnLoopEditor.registerWidget("dimensions", dimensionsWidget);
  }
})();
