// H5P editor widget "imageCoordinateSelector" (H5P.ImageHotspots: a hotspot's `position`
// group {x, y} in percent of the background image). The image comes from the field named by
// semantic.imageFieldPath ("../../image": the content's background image), published by the
// image widget on window.LearnLoopEditorBus. Click the image, or focus the marker and use the
// arrow keys, to place the hotspot; x and y can also be typed.
//
// As H5P's own selector does, a newly placed position is stored as {x, y} without
// legacyPositioning; an untouched position is returned exactly as it came.
(function () {
  "use strict";

  const STRINGS = {
    place: "Click on the image to place the hotspot, or focus the marker and use the arrow keys.",
    marker: "Hotspot position",
    x: "X (% of width)",
    y: "Y (% of height)",
    noImage: "Upload the background image first.",
    required: "Place the hotspot on the image.",
    outOfRange: "x and y must be between 0 and 100.",
    imageAlt: "Background image",
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

  function clampPercent(value) {
    const number = Number(value);
    if (Number.isNaN(number)) return 50;
    return Math.round(Math.max(0, Math.min(100, number)) * 100) / 100;
  }

  function imageCoordinateSelector(field) {
    const { semantic, editor, id, path } = field;
    const t = translator(editor);
    const original = field.value;
    let changed = false;
    let position = original && original.x !== undefined ? { x: original.x, y: original.y } : null;
    const imageName = String(semantic.imageFieldPath || "image")
      .split("/")
      .filter((part) => part && part !== ".." && part !== ".")
      .join(".");

    const labelId = id + "-label";
    const helpId = id + "-help";
    const errorId = id + "-errors";
    const root = el("div", { className: "ll-ih", "data-path": path, "data-widget": "imageCoordinateSelector" });
    root.appendChild(el("div", { className: "ll-w-label", id: labelId, text: semantic.label || semantic.name }));
    root.appendChild(el("p", { className: "ll-w-description", id: helpId, text: t("place") }));
    const surface = el("div", { className: "ll-ih-surface" });
    const image = el("img", { className: "ll-ih-image", alt: t("imageAlt"), hidden: true });
    const noImage = el("p", { className: "ll-ih-noimage", text: t("noImage") });
    const marker = el("button", {
      type: "button",
      className: "ll-ih-marker",
      "aria-describedby": helpId + " " + errorId,
    });
    surface.append(image, marker, noImage);
    const inputs = {};
    const coordinates = el("div", { className: "ll-ih-coordinates" });
    for (const key of ["x", "y"]) {
      const input = el("input", { type: "number", min: 0, max: 100, step: "any", id: id + "-" + key });
      input.addEventListener("change", () => {
        if (input.value === "") return;
        const next = Object.assign({ x: 50, y: 50 }, position || {}, { [key]: clampPercent(input.value) });
        place(next.x, next.y);
      });
      inputs[key] = input;
      coordinates.appendChild(
        el("div", { className: "ll-w-row" }, [el("label", { for: input.id, text: t(key) }), input]),
      );
    }
    const errorBox = el("ul", { className: "ll-w-errors", id: errorId, hidden: true });
    const live = el("p", { className: "ll-visually-hidden", role: "status", "aria-live": "polite" });
    root.append(surface, coordinates, errorBox, live);

    function render() {
      marker.hidden = !position;
      if (position) {
        marker.style.left = position.x + "%";
        marker.style.top = position.y + "%";
        marker.setAttribute("aria-label", t("marker") + ": x " + position.x + "%, y " + position.y + "%");
      } else {
        marker.setAttribute("aria-label", t("marker"));
      }
      for (const key of ["x", "y"]) {
        if (document.activeElement !== inputs[key]) inputs[key].value = position ? position[key] : "";
      }
    }

    function place(x, y) {
      position = { x: clampPercent(x), y: clampPercent(y) };
      changed = true;
      render();
      live.textContent = t("marker") + ": x " + position.x + "%, y " + position.y + "%";
      if (editor && editor.changed) editor.changed();
    }

    surface.addEventListener("click", (event) => {
      if (event.target === marker) return;
      const rect = surface.getBoundingClientRect();
      if (!rect.width || !rect.height) return;
      place(((event.clientX - rect.left) / rect.width) * 100, ((event.clientY - rect.top) / rect.height) * 100);
      marker.focus();
    });
    // The marker stays reachable by keyboard even before a first placement: focusing the
    // surface's button and pressing an arrow places it at the centre first.
    marker.addEventListener("keydown", (event) => {
      const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (!arrows[event.key]) return;
      event.preventDefault();
      const step = event.shiftKey ? 10 : 1;
      const current = position || { x: 50, y: 50 };
      const [dx, dy] = arrows[event.key];
      place(Number(current.x) + dx * step, Number(current.y) + dy * step);
    });
    // Without a position the marker is shown at the centre, dimmed, so it can take focus.
    function showUnplacedMarker() {
      if (!position) {
        marker.hidden = false;
        marker.classList.add("ll-ih-unplaced");
        marker.style.left = "50%";
        marker.style.top = "50%";
      } else {
        marker.classList.remove("ll-ih-unplaced");
      }
    }

    const bus = window.LearnLoopEditorBus;
    if (bus) {
      bus.follow(path, imageName, (entry) => {
        const url = entry && entry.value ? entry.extra.url : null;
        image.hidden = !url;
        noImage.hidden = !!url;
        if (url) image.src = url;
        else image.removeAttribute("src");
      });
    }
    render();
    showUnplacedMarker();
    marker.addEventListener("focus", showUnplacedMarker);

    function value() {
      if (!changed) return original;
      return { x: position.x, y: position.y };
    }

    return {
      element: root,
      getValue: value,
      validate() {
        const now = value();
        if (!now || now.x === undefined || now.y === undefined) {
          return changed || field.mode === "new" ? [t("required")] : [];
        }
        if (now.x < 0 || now.x > 100 || now.y < 0 || now.y > 100) return [t("outOfRange")];
        return [];
      },
      showErrors(messages) {
        const list = messages || [];
        errorBox.replaceChildren(...list.map((message) => el("li", { text: message })));
        errorBox.hidden = list.length === 0;
        if (list.length) marker.setAttribute("aria-invalid", "true");
        else marker.removeAttribute("aria-invalid");
      },
      focus() {
        marker.focus();
      },
    };
  }

  window.LearnLoopEditorWidgets = window.LearnLoopEditorWidgets || {};
  window.LearnLoopEditorWidgets.imageCoordinateSelector = { imageCoordinateSelector };
  if (window.LearnLoopEditor && typeof window.LearnLoopEditor.registerWidget === "function") {
    window.LearnLoopEditor.registerWidget("imageCoordinateSelector", imageCoordinateSelector);
  }
})();
