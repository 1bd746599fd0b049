// H5P editor widgets for file fields: "image", "video", "audio" and "file" (semantics
// field types, H5P editor's file.js / av.js behaviour). Files go up through
// editor.uploadFile (POST /h5p/ajax?action=files) and come back as "images/x.png#tmp";
// the save moves them into the content. A value the teacher does not touch is returned
// as the very object it came as (contract §2, round trip rule).
//
// The visual editors need the current background image of a sibling field, so every
// file widget publishes its value on window.LearnLoopEditorBus under its path.
(function () {
  "use strict";

  // --- value bus shared with visual-dragquestion.js / visual-imagehotspots.js -------------
  function createBus() {
    const values = new Map();
    const listeners = new Set();
    function parentSegments(path) {
      const segments = String(path || "").split(".").filter(Boolean);
      segments.pop();
      return segments;
    }
    return {
      publish(path, value, extra) {
        values.set(path, { value, extra: extra || {} });
        for (const listener of Array.from(listeners)) listener(path);
      },
      get(path) {
        return values.get(path);
      },
      // The field called `relative` ("settings.background", "image") nearest to `fromPath`:
      // a sibling first, then the same name further up (H5P's findField with "../").
      candidates(fromPath, relative) {
        const parents = parentSegments(fromPath);
        const found = [];
        for (let depth = parents.length; depth >= 0; depth -= 1) {
          const prefix = parents.slice(0, depth).join(".");
          found.push(prefix ? prefix + "." + relative : relative);
        }
        return found;
      },
      nearest(fromPath, relative) {
        for (const path of this.candidates(fromPath, relative)) {
          const entry = values.get(path);
          if (entry) return entry;
        }
        return undefined;
      },
      follow(fromPath, relative, callback) {
        const watched = new Set(this.candidates(fromPath, relative));
        const listener = (path) => {
          if (watched.has(path)) callback(this.nearest(fromPath, relative));
        };
        listeners.add(listener);
        const current = this.nearest(fromPath, relative);
        if (current) callback(current);
        return () => listeners.delete(listener);
      },
    };
  }
  window.LearnLoopEditorBus = window.LearnLoopEditorBus || createBus();
  const bus = window.LearnLoopEditorBus;

  // --- small DOM helpers ------------------------------------------------------------------
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

  const STRINGS = {
    chooseFile: "Choose a file",
    dropHere: "or drop a file here",
    uploading: "Uploading…",
    remove: "Remove",
    required: "This field is required.",
    editCopyright: "Copyright",
    copyrightTitle: "Title",
    copyrightAuthor: "Author",
    copyrightYear: "Year(s)",
    copyrightSource: "Source",
    copyrightLicense: "License",
    copyrightVersion: "License version",
    addUrl: "Add",
    videoUrl: "YouTube or other video URL",
    invalidUrl: "Enter an http or https address.",
    previewImage: "Preview of the chosen image",
    uploadFailed: "Upload failed",
    wrongType: "This file type is not allowed here.",
    noFile: "No file chosen.",
  };

  function translator(editor) {
    return (key) => {
      const translated = editor && typeof editor.t === "function" ? editor.t(key) : undefined;
      return translated && translated !== key ? translated : STRINGS[key] || key;
    };
  }

  // H5P core's copyright licences (H5PContentValidator::getCopyrightSemantics) and their
  // versions; stored in the file object's `copyright` as {license, title, author, year,
  // source, version}.
  const LICENSES = [
    ["U", "Undisclosed", []],
    ["CC BY", "Attribution", ["4.0", "3.0", "2.5", "2.0", "1.0"]],
    ["CC BY-SA", "Attribution-ShareAlike", ["4.0", "3.0", "2.5", "2.0", "1.0"]],
    ["CC BY-ND", "Attribution-NoDerivs", ["4.0", "3.0", "2.5", "2.0", "1.0"]],
    ["CC BY-NC", "Attribution-NonCommercial", ["4.0", "3.0", "2.5", "2.0", "1.0"]],
    ["CC BY-NC-SA", "Attribution-NonCommercial-ShareAlike", ["4.0", "3.0", "2.5", "2.0", "1.0"]],
    ["CC BY-NC-ND", "Attribution-NonCommercial-NoDerivs", ["4.0", "3.0", "2.5", "2.0", "1.0"]],
    ["GNU GPL", "General Public License", ["v3", "v2", "v1"]],
    ["PD", "Public Domain", ["-", "CC0 1.0", "CC PDM"]],
    ["ODC PDDL", "Public Domain Dedication and Licence", []],
    ["CC PDM", "Public Domain Mark", []],
    ["C", "Copyright", []],
  ];

  const ACCEPT = {
    image: "image/png,image/jpeg,image/gif,image/webp,image/svg+xml",
    video: "video/mp4,video/webm,video/ogg",
    audio: "audio/mpeg,audio/mp4,audio/ogg,audio/wav,audio/webm,audio/x-wav",
    file: "",
  };

  // A copyright form for one file object; reports edits through onEdit(copyright).
  function copyrightForm(id, initial, t, onEdit) {
    const current = initial ? Object.assign({}, initial) : {};
    const keys = new Set(Object.keys(current));
    const details = el("details", { className: "ll-w-copyright" }, [
      el("summary", { text: t("editCopyright") }),
    ]);
    function set(key, value) {
      if (value === "" && !keys.has(key)) delete current[key];
      else current[key] = value;
      if (key === "license" && !keys.has("license")) keys.add("license");
      onEdit(Object.assign({}, current));
    }
    function textRow(key, label) {
      const input = el("input", {
        type: "text",
        id: id + "-" + key,
        value: current[key] || "",
        oninput: () => set(key, input.value),
      });
      details.appendChild(
        el("div", { className: "ll-w-row" }, [el("label", { for: input.id, text: label }), input]),
      );
    }
    textRow("title", t("copyrightTitle"));
    textRow("author", t("copyrightAuthor"));
    textRow("year", t("copyrightYear"));
    textRow("source", t("copyrightSource"));
    const license = el("select", { id: id + "-license" });
    for (const [code, name] of LICENSES) {
      license.appendChild(el("option", { value: code, text: name + (code !== "U" ? " (" + code + ")" : "") }));
    }
    license.value = current.license || "U";
    const version = el("select", { id: id + "-version" });
    function fillVersions() {
      const entry = LICENSES.find((item) => item[0] === license.value);
      const versions = entry ? entry[2] : [];
      version.replaceChildren(...versions.map((value) => el("option", { value, text: value })));
      version.disabled = versions.length === 0;
      if (versions.includes(current.version)) version.value = current.version;
    }
    fillVersions();
    license.addEventListener("change", () => {
      fillVersions();
      set("license", license.value);
      if (version.disabled) {
        if ("version" in current) set("version", "");
      } else {
        set("version", version.value);
      }
    });
    version.addEventListener("change", () => set("version", version.value));
    details.appendChild(
      el("div", { className: "ll-w-row" }, [
        el("label", { for: license.id, text: t("copyrightLicense") }),
        license,
      ]),
    );
    details.appendChild(
      el("div", { className: "ll-w-row" }, [
        el("label", { for: version.id, text: t("copyrightVersion") }),
        version,
      ]),
    );
    return details;
  }

  function mimeOfUrl(url) {
    if (/^https?:\/\/(www\.|m\.)?(youtube\.com|youtu\.be)\//i.test(url)) return "video/YouTube";
    if (/^https?:\/\/(www\.)?vimeo\.com\//i.test(url)) return "video/Vimeo";
    if (/\.panopto\.(com|eu)\//i.test(url)) return "video/Panopto";
    const extension = (/\.([a-z0-9]+)(?:[?#]|$)/i.exec(url) || [])[1];
    const known = { mp4: "video/mp4", webm: "video/webm", ogv: "video/ogg", ogg: "video/ogg" };
    return known[(extension || "").toLowerCase()] || "video/unknown";
  }

  function isExternal(path) {
    return /^https?:\/\//i.test(path || "");
  }

  // --- the widget ---------------------------------------------------------------------------
  function mediaWidget(kind) {
    return function factory(field) {
      const { semantic, editor, id, path } = field;
      const t = translator(editor);
      const multiple = kind === "video" || kind === "audio";
      const original = field.value;
      let changed = false;
      // Working copy: an array of file objects (one at most for image/file).
      let files = original === undefined ? [] : multiple ? (Array.isArray(original) ? original.slice() : []) : [original];
      let errors = [];

      const labelId = id + "-label";
      const errorId = id + "-errors";
      const descId = id + "-desc";
      const root = el("div", {
        className: "ll-w-media ll-w-media-" + kind,
        role: "group",
        "aria-labelledby": labelId,
        "data-path": path,
        "data-widget": kind,
      });
      root.appendChild(
        el("div", { className: "ll-w-label", id: labelId, text: semantic.label || semantic.name }),
      );
      if (semantic.description) {
        root.appendChild(el("p", { className: "ll-w-description", id: descId, text: semantic.description }));
      }
      const list = el("ul", { className: "ll-w-files" });
      const status = el("p", { className: "ll-w-status", role: "status", "aria-live": "polite" });
      const progress = el("progress", { className: "ll-w-progress", hidden: true, "aria-label": t("uploading") });
      const errorBox = el("ul", { className: "ll-w-errors", id: errorId, hidden: true });
      const fileInput = el("input", {
        type: "file",
        id: id + "-file",
        accept: ACCEPT[kind] || undefined,
        "aria-describedby": [semantic.description ? descId : null, errorId].filter(Boolean).join(" "),
      });
      const chooseLabel = el("label", { for: fileInput.id, className: "ll-w-button" }, [
        t("chooseFile") + " (" + (semantic.label || semantic.name) + ")",
      ]);
      const dropZone = el("div", { className: "ll-w-drop" }, [
        chooseLabel,
        fileInput,
        el("span", { className: "ll-w-drop-hint", text: t("dropHere") }),
      ]);
      root.append(list, dropZone, progress, status, errorBox);

      function value() {
        if (!changed) return original;
        if (multiple) return files.length ? files : undefined;
        return files[0];
      }

      function publish() {
        const current = value();
        const first = multiple ? (current || [])[0] : current;
        bus.publish(path, current, {
          url: first && first.path ? (isExternal(first.path) ? first.path : editor.fileUrl(first.path)) : null,
        });
      }

      function markChanged() {
        changed = true;
        publish();
        if (editor && typeof editor.changed === "function") editor.changed();
      }

      function preview(file, index) {
        const url = isExternal(file.path) ? file.path : editor.fileUrl(file.path);
        if (kind === "image") {
          return el("img", {
            className: "ll-w-preview",
            src: url,
            alt: t("previewImage") + ": " + (semantic.label || semantic.name),
          });
        }
        if ((kind === "video" || kind === "audio") && !isExternal(file.path)) {
          const media = el(kind, { className: "ll-w-preview", src: url, controls: true, preload: "metadata" });
          media.setAttribute("aria-label", (semantic.label || semantic.name) + " " + (index + 1));
          return media;
        }
        return el("a", { href: url, target: "_blank", rel: "noopener", text: file.path.replace(/#tmp$/, "") });
      }

      function render() {
        list.replaceChildren();
        files.forEach((file, index) => {
          const removeButton = el("button", {
            type: "button",
            className: "ll-w-button ll-w-remove",
            text: t("remove"),
            "aria-label": t("remove") + " " + (file.path || "").replace(/#tmp$/, ""),
            onclick: () => {
              files.splice(index, 1);
              markChanged();
              render();
              (list.querySelector("button") || fileInput).focus();
            },
          });
          const item = el("li", { className: "ll-w-file" }, [
            preview(file, index),
            el("span", { className: "ll-w-file-meta", text: (file.mime || "") + (file.width ? " " + file.width + "×" + file.height : "") }),
            removeButton,
          ]);
          if (!semantic.disableCopyright) {
            item.appendChild(
              copyrightForm(id + "-c" + index, file.copyright, t, (copyright) => {
                files[index] = Object.assign({}, files[index], { copyright });
                markChanged();
              }),
            );
          }
          list.appendChild(item);
        });
        dropZone.hidden = !multiple && files.length > 0;
        status.textContent = files.length ? "" : t("noFile");
      }

      async function upload(file) {
        errors = [];
        showErrors([]);
        progress.hidden = false;
        progress.removeAttribute("value");
        status.textContent = t("uploading");
        try {
          const result = await editor.uploadFile(file, semantic);
          const stored = { path: result.path, mime: result.mime };
          if (kind === "image" && result.width) {
            stored.width = result.width;
            stored.height = result.height;
          }
          if (multiple) files.push(stored);
          else files = [stored];
          markChanged();
          render();
          status.textContent = "";
        } catch (error) {
          status.textContent = "";
          showErrors([t("uploadFailed") + ": " + ((error && error.message) || String(error))]);
        } finally {
          progress.hidden = true;
          fileInput.value = "";
        }
      }

      fileInput.addEventListener("change", () => {
        const chosen = fileInput.files && fileInput.files[0];
        if (chosen) upload(chosen);
      });
      dropZone.addEventListener("dragover", (event) => {
        event.preventDefault();
        dropZone.classList.add("ll-w-drop-over");
      });
      dropZone.addEventListener("dragleave", () => dropZone.classList.remove("ll-w-drop-over"));
      dropZone.addEventListener("drop", (event) => {
        event.preventDefault();
        dropZone.classList.remove("ll-w-drop-over");
        const dropped = event.dataTransfer && event.dataTransfer.files && event.dataTransfer.files[0];
        if (dropped) upload(dropped);
      });

      if (kind === "video") {
        // H5P's video widget takes YouTube and other links as sources besides uploads.
        const urlInput = el("input", { type: "url", id: id + "-url", placeholder: "https://" });
        const addButton = el("button", {
          type: "button",
          className: "ll-w-button",
          text: t("addUrl"),
          onclick: () => {
            const url = urlInput.value.trim();
            if (!/^https?:\/\/[^\s/]+/i.test(url)) {
              showErrors([t("invalidUrl")]);
              return;
            }
            showErrors([]);
            files.push({ path: url, mime: mimeOfUrl(url) });
            urlInput.value = "";
            markChanged();
            render();
          },
        });
        root.insertBefore(
          el("div", { className: "ll-w-row ll-w-url" }, [
            el("label", { for: urlInput.id, text: t("videoUrl") }),
            urlInput,
            addButton,
          ]),
          progress,
        );
      }

      function showErrors(messages) {
        errors = messages || [];
        errorBox.replaceChildren(...errors.map((message) => el("li", { text: message })));
        errorBox.hidden = errors.length === 0;
        if (errors.length) fileInput.setAttribute("aria-invalid", "true");
        else fileInput.removeAttribute("aria-invalid");
      }

      render();
      publish();

      return {
        element: root,
        getValue: value,
        validate() {
          const current = value();
          const empty = current === undefined || (Array.isArray(current) && current.length === 0);
          // H5P's own file widgets never refuse an empty field (h5peditor-file.js validate()
          // returns true; core's filter has no required check), so new content saves without
          // e.g. H5P.Video's poster. Removing the file of a required field is refused.
          if (empty && !semantic.optional && changed) return [t("required")];
          return [];
        },
        showErrors,
        focus() {
          (list.querySelector("button") || fileInput).focus();
        },
      };
    };
  }

  function register() {
    const registry = window.LearnLoopEditor;
    if (!registry || typeof registry.registerWidget !== "function") return false;
    for (const kind of ["image", "video", "audio", "file"]) {
      registry.registerWidget(kind, mediaWidget(kind));
    }
    return true;
  }

  window.LearnLoopEditorWidgets = window.LearnLoopEditorWidgets || {};
  window.LearnLoopEditorWidgets.media = { mediaWidget, register, mimeOfUrl };
  register();
})();
