/*
 * LearnLoop's H5P editor: a form engine that reads a library's semantics.json (translated
 * on the server from its language/<lang>.json) and edits the content's params
 * (content.json) and metadata (h5p.json). No framework and no build step.
 *
 * Interfaces (docs: the editor contract, §2 and §3):
 *   LearnLoopEditor.registerWidget(name, factory)  name = a semantics `widget` value or a
 *     field `type`; the engine uses the factory of `semantic.widget` if registered, else of
 *     `semantic.type`, else its own built-in widget for the type.
 *   factory(field) -> widget, field = {semantic, value, path, id, mode, editor}
 *   widget = {element, getValue(), validate() -> [messages], showErrors(messages), focus()}
 *   LearnLoopEditor.start(rootElement, options) opens the picker or the form.
 *
 * ROUND TRIP RULE (contract §2). Opening content and saving it without a change must leave
 * its params identical, so every built-in widget here follows it:
 *   - a widget whose value the user did not change returns exactly the value it was given
 *     (same type, same string - plain text is shown with its entities decoded but the
 *     stored string is returned untouched - and, for objects it returns whole, the same
 *     key order: groups and library values start from a copy of the given object and
 *     only overwrite or delete their own keys, keeping unknown keys where they were);
 *   - an absent optional value stays absent (getValue() returns undefined, and the parent
 *     leaves the key out) unless the user edits it;
 *   - defaults (`default`, a list's `defaultNum`, a boolean's false) are filled only for new
 *     content (mode "new") and for things the user adds (a new list item, a newly chosen
 *     sub-content type), never for a field missing from existing content;
 *   - sub-content keeps its `subContentId` and `metadata`; only new sub-content gets a new
 *     UUID and {contentType, license: "U", title}.
 *   - `common` fields are shown once per library ("Settings and texts") but each occurrence
 *     keeps its own stored value until the shared field is changed.
 *
 * Validation mirrors the server's semantics filter (learnloop/h5p/semantics.py and H5P
 * core's validateText/validateNumber/validateSelect/validateList): required, maxLength,
 * regexp, min/max/steps/decimals, list min/max, select options and file types. Errors are
 * shown at the field (aria-invalid + aria-describedby) and the first invalid field gets
 * the focus; a refused save's `details.field` path is shown at the field of that path.
 */
(function () {
  "use strict";

  var registry = Object.create(null);

  var STRINGS = {
    required: "This field is required.",
    tooLong: "Use at most {max} characters (now {length}).",
    pattern: "This value does not have the expected form.",
    notNumber: "Enter a number.",
    tooSmall: "The smallest allowed value is {min}.",
    tooLarge: "The largest allowed value is {max}.",
    decimals: "Use at most {decimals} decimals.",
    decimalsNone: "Use a whole number.",
    steps: "The value must be a multiple of {steps}.",
    notOption: "Choose one of the options.",
    listMin: "Add at least {min} items.",
    listMax: "Remove items: at most {max} are allowed.",
    add: "Add {entity}",
    remove: "Remove",
    moveUp: "Move up",
    moveDown: "Move down",
    removeLabel: "Remove {entity} {number}",
    moveUpLabel: "Move {entity} {number} up",
    moveDownLabel: "Move {entity} {number} down",
    item: "item",
    chooseType: "Content type",
    none: "- Choose -",
    loading: "Loading…",
    notEditable: "This content type cannot be edited here: {reason}",
    notInstalled: "The content type {name} is not installed; its content is kept as it is.",
    subContentTitle: "Title of this part",
    upload: "Upload a file",
    uploading: "Uploading…",
    uploadFailed: "The upload failed: {reason}",
    removeFile: "Remove the file",
    noFile: "No file yet.",
    currentFile: "Current file: {path}",
    wrongFileType: "This file type is not allowed here.",
    commonFields: "Settings and texts: {title}",
    save: "Save",
    saving: "Saving…",
    saved: "Saved.",
    play: "Play it",
    backToLibrary: "Back to the library",
    contentPage: "Content page",
    fixProblems: "The content was not saved: fix the marked fields ({count}).",
    notSaved: "The content was not saved: {reason}",
    notSavedField: "The content was not saved: {reason} The field is marked below.",
    unsaved: "You have unsaved changes.",
    metadata: "Title, license and authors",
    moreMetadata: "Source, years, changes and comments",
    title: "Title",
    license: "License",
    licenseVersion: "License version",
    authors: "Authors",
    author: "author",
    authorName: "Name",
    authorRole: "Role",
    source: "Source (link to the original)",
    yearFrom: "Years (from)",
    yearTo: "Years (to)",
    licenseExtras: "License extras",
    changes: "Changes",
    change: "change",
    changeDate: "Date",
    changeAuthor: "Changed by",
    changeLog: "Description of the change",
    authorComments: "Author comments (not shown to learners)",
    loadFailed: "The editor could not be loaded: {reason}",
    pickHeading: "Choose a content type",
    search: "Search content types",
    notEditableHeading: "Installed but not editable here",
    importLink: "Import an .h5p file instead",
    noMatch: "No content type matches this search.",
    noTypes: "No editable content type is installed yet. An administrator or teacher installs content types by importing .h5p packages.",
    optional: "optional"
  };

  function t(key, vars) {
    var text = Object.prototype.hasOwnProperty.call(STRINGS, key) ? STRINGS[key] : key;
    if (vars) {
      Object.keys(vars).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(vars[name]));
      });
    }
    return text;
  }

  // H5P's license list with versions (h5p-php-library: H5PContentValidator::getCopyrightSemantics
  // and the editor's metadata form).
  var CC_VERSIONS = [
    { value: "4.0", label: "4.0 International" },
    { value: "3.0", label: "3.0 Unported" },
    { value: "2.5", label: "2.5 Generic" },
    { value: "2.0", label: "2.0 Generic" },
    { value: "1.0", label: "1.0 Generic" }
  ];
  var LICENSES = [
    { value: "U", label: "Undisclosed" },
    { value: "CC BY", label: "Attribution (CC BY)", versions: CC_VERSIONS },
    { value: "CC BY-SA", label: "Attribution-ShareAlike (CC BY-SA)", versions: CC_VERSIONS },
    { value: "CC BY-ND", label: "Attribution-NoDerivs (CC BY-ND)", versions: CC_VERSIONS },
    { value: "CC BY-NC", label: "Attribution-NonCommercial (CC BY-NC)", versions: CC_VERSIONS },
    { value: "CC BY-NC-SA", label: "Attribution-NonCommercial-ShareAlike (CC BY-NC-SA)", versions: CC_VERSIONS },
    { value: "CC BY-NC-ND", label: "Attribution-NonCommercial-NoDerivs (CC BY-NC-ND)", versions: CC_VERSIONS },
    { value: "CC0 1.0", label: "Public Domain Dedication (CC0)" },
    { value: "CC PDM", label: "Public Domain Mark (PDM)" },
    { value: "GNU GPL", label: "General Public License v3", versions: [
      { value: "v3", label: "Version 3" }, { value: "v2", label: "Version 2" }, { value: "v1", label: "Version 1" }
    ] },
    { value: "PD", label: "Public Domain", versions: [
      { value: "-", label: "-" }, { value: "CC0 1.0", label: "CC0 1.0 Universal" }, { value: "CC PDM", label: "Public Domain Mark" }
    ] },
    { value: "ODC PDDL", label: "Public Domain Dedication and Licence" },
    { value: "C", label: "Copyright" }
  ];
  var AUTHOR_ROLES = ["Author", "Editor", "Licensee", "Originator"];

  // File types per field type, as the server's media upload accepts them.
  var FILE_ACCEPT = {
    image: "image/png,image/jpeg,image/gif,image/svg+xml,image/webp",
    video: "video/mp4,video/webm,video/ogg",
    audio: "audio/mpeg,audio/mp4,audio/ogg,audio/wav,audio/webm,audio/x-wav",
    file: ""
  };
  var FILE_MIME_PREFIX = { image: "image/", video: "video/", audio: "audio/" };

  // --- small helpers -------------------------------------------------------------------

  var idCounter = 0;
  function uid(base) {
    idCounter += 1;
    return "ll-" + String(base || "field").replace(/[^A-Za-z0-9_-]/g, "-") + "-" + idCounter;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === undefined || value === null || value === false) { return; }
        if (name === "text") { node.textContent = value; }
        else if (name === "className") { node.className = value; }
        else if (value === true) { node.setAttribute(name, ""); }
        else { node.setAttribute(name, String(value)); }
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function decodeEntities(text) {
    // A <textarea> parses its content as text: entities are decoded, no element is made.
    var area = document.createElement("textarea");
    area.innerHTML = text;
    return area.value;
  }

  function stripTags(html) {
    var doc = new DOMParser().parseFromString("<body>" + String(html) + "</body>", "text/html");
    return (doc.body.textContent || "").trim();
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function copyObject(value) {
    var copy = {};
    if (isObject(value)) {
      Object.keys(value).forEach(function (key) { copy[key] = value[key]; });
    }
    return copy;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function parseUberName(uberName) {
    var match = /^(\S+) (\d+)\.(\d+)$/.exec(String(uberName || ""));
    if (!match) { return null; }
    return { machineName: match[1], majorVersion: Number(match[2]), minorVersion: Number(match[3]) };
  }

  function fieldLabel(semantic) {
    return semantic.label || semantic.name || "";
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // --- the server ------------------------------------------------------------------------

  function RequestError(message, status, details) {
    this.message = message;
    this.status = status;
    this.details = details || null;
  }

  function readJson(response) {
    return response.text().then(function (text) {
      var body = null;
      try { body = text ? JSON.parse(text) : null; } catch (error) { body = null; }
      if (!response.ok || !body || body.success === false) {
        var message = body && (body.error || body.message) ? (body.error || body.message) : "HTTP " + response.status;
        throw new RequestError(String(message), response.status, body && body.details);
      }
      return body;
    });
  }

  function request(method, url, body) {
    var headers = { "Accept": "application/json" };
    var payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    if (method !== "GET") { headers["X-CSRF-Token"] = csrfToken(); }
    return fetch(url, { method: method, headers: headers, body: payload, credentials: "same-origin" })
      .then(readJson);
  }

  function Api(integration) {
    var editorConfig = (integration && integration.editor) || {};
    this.ajaxPath = editorConfig.ajaxPath || (integration && integration.ajaxPath) || "/h5p/ajax?action=";
    this.filesPath = editorConfig.filesPath || "/h5p/temp";
    this.cache = Object.create(null);
  }
  Api.prototype.url = function (action, query) {
    var url = this.ajaxPath + encodeURIComponent(action);
    Object.keys(query || {}).forEach(function (name) {
      var values = Array.isArray(query[name]) ? query[name] : [query[name]];
      values.forEach(function (value) {
        url += "&" + encodeURIComponent(name) + "=" + encodeURIComponent(value);
      });
    });
    return url;
  };
  Api.prototype.cached = function (key, make) {
    if (!this.cache[key]) {
      var cache = this.cache;
      cache[key] = make().catch(function (error) { delete cache[key]; throw error; });
    }
    return this.cache[key];
  };
  Api.prototype.libraries = function () {
    var api = this;
    return this.cached("libraries", function () {
      return request("GET", api.url("libraries")).then(function (body) { return body.data || []; });
    });
  };
  Api.prototype.libraryOptions = function (names) {
    var api = this;
    return this.cached("options:" + names.join("|"), function () {
      return request("POST", api.url("libraries"), { libraries: names }).then(function (body) { return body.data || []; });
    });
  };
  Api.prototype.library = function (uberName, language) {
    var api = this;
    var parsed = parseUberName(uberName);
    if (!parsed) { return Promise.reject(new RequestError("Not a library name: " + uberName, 0)); }
    return this.cached("library:" + uberName + ":" + language, function () {
      return request("GET", api.url("library", {
        machineName: parsed.machineName,
        majorVersion: parsed.majorVersion,
        minorVersion: parsed.minorVersion,
        language: language
      })).then(function (body) { return body.data; });
    });
  };
  Api.prototype.upload = function (file, semantic, contentId) {
    var form = new FormData();
    form.append("file", file, file.name);
    form.append("field", JSON.stringify(semantic));
    if (contentId) { form.append("contentId", contentId); }
    return request("POST", this.url("files"), form).then(function (body) { return body.data; });
  };

  // --- the form context ----------------------------------------------------------------

  function Form(root, options) {
    this.root = root;
    this.api = options.api;
    this.language = options.language || "en";
    this.contentId = options.contentId || null;
    this.mode = this.contentId ? "edit" : "new";
    this.nodes = [];          // {widget, pathFn}: every field, for server errors by path
    this.showWhens = [];      // fields shown only when another field has some value
    this.commons = Object.create(null);  // "library|path" -> shared widget of a common field
    this.commonSections = Object.create(null);
    this.commonWidgets = [];
    this.pending = [];        // loads and uploads the form must wait for
    this.uploads = Object.create(null);  // path -> preview URL of this session's uploads
    this.dirty = false;
    this.pass = null;         // the validation pass under way: {first, count}
    this.clientValidation = true;
    var form = this;
    this.editor = {
      uploadFile: function (file, semantic) { return form.uploadFile(file, semantic); },
      fileUrl: function (path) { return form.fileUrl(path); },
      buildField: function (semantic, value, path, mode) {
        var fixed = String(path || "");
        return form.build(semantic, value, function () { return fixed; }, {
          fresh: (mode || form.mode) === "new", scope: null, libKey: null, relPath: ""
        });
      },
      changed: function () { form.changed(); },
      t: t,
      contentId: this.contentId,
      language: this.language
    };
  }

  Form.prototype.changed = function () {
    this.dirty = true;
    this.refreshShowWhen();
    this.root.dispatchEvent(new CustomEvent("learnloop-editor-change", { bubbles: true }));
  };

  Form.prototype.track = function (promise) {
    var pending = this.pending;
    pending.push(promise);
    var done = function () {
      var index = pending.indexOf(promise);
      if (index >= 0) { pending.splice(index, 1); }
    };
    promise.then(done, done);
    return promise;
  };

  Form.prototype.settled = function () {
    var form = this;
    if (!form.pending.length) { return Promise.resolve(); }
    return Promise.all(form.pending.map(function (p) { return p.catch(function () { return null; }); }))
      .then(function () { return form.settled(); });
  };

  Form.prototype.uploadFile = function (file, semantic) {
    var form = this;
    return this.track(this.api.upload(file, semantic, this.contentId).then(function (data) {
      if (data && data.path && data.url) { form.uploads[data.path] = data.url; }
      return data;
    }));
  };

  Form.prototype.fileUrl = function (path) {
    if (!path) { return ""; }
    if (/^https?:\/\//i.test(path)) { return path; }
    if (this.uploads[path]) { return this.uploads[path]; }
    if (/#tmp$/.test(path)) { return this.api.filesPath + "/" + path.replace(/#tmp$/, ""); }
    if (this.contentId) {
      return "/h5p/content/" + encodeURIComponent(this.contentId) + "/" + path.split("/").map(encodeURIComponent).join("/");
    }
    return "";
  };

  // A field's widget: a registered one (by widget name, then by type) or a built-in one.
  Form.prototype.build = function (semantic, value, pathFn, opts) {
    var widget;
    if (semantic.common === true && opts.libKey && !opts.inCommon) {
      widget = this.commonField(semantic, value, pathFn, opts);
    } else if (semantic.widget === "showWhen" && isObject(semantic.showWhen) && !opts.inShowWhen) {
      widget = this.showWhenField(semantic, value, pathFn, opts);
    } else {
      var factory = (semantic.widget && registry[semantic.widget]) || registry[semantic.type];
      if (factory) {
        widget = factory({
          semantic: semantic,
          value: value,
          path: pathFn(),
          id: uid(semantic.name),
          mode: opts.fresh ? "new" : "edit",
          editor: this.editor
        });
        widget.element.classList.add("ll-widget");
      } else {
        widget = this.builtIn(semantic, value, pathFn, opts);
      }
      if (semantic.importance) {
        widget.element.classList.add("ll-importance-" + String(semantic.importance).replace(/[^a-z]/g, ""));
      }
    }
    this.nodes.push({ widget: widget, pathFn: pathFn });
    if (opts.scope && semantic.name) { opts.scope.byName[semantic.name] = { widget: widget, semantic: semantic }; }
    widget.semantic = widget.semantic || semantic;
    return widget;
  };

  Form.prototype.builtIn = function (semantic, value, pathFn, opts) {
    if (semantic.widget === "none") { return this.hiddenField(semantic, value, opts); }
    if (semantic.widget === "colorSelector" && semantic.type === "text") { return this.colorField(semantic, value, opts); }
    switch (semantic.type) {
      case "text": return this.textField(semantic, value, opts);
      case "number": return this.numberField(semantic, value, opts);
      case "boolean": return this.booleanField(semantic, value, opts);
      case "select": return this.selectField(semantic, value, opts);
      case "group": return this.groupField(semantic, value, pathFn, opts);
      case "list": return this.listField(semantic, value, pathFn, opts);
      case "library": return this.libraryField(semantic, value, pathFn, opts);
      case "image": case "file": case "video": case "audio":
        return this.fileField(semantic, value, opts);
      default: return this.hiddenField(semantic, value, opts);
    }
  };

  // Validation: built-in widgets show their own errors while validating (so a visual
  // widget that validates nested fields shows them too); registered widgets are shown
  // theirs here.
  Form.prototype.check = function (widget) {
    if (widget.hiddenByRule) { return []; }
    var messages = widget.validate() || [];
    if (!widget.llBuiltIn) {
      widget.showErrors(messages);
      if (messages.length) { this.markInvalid(widget); }
    }
    return messages;
  };

  Form.prototype.markInvalid = function (widget) {
    if (this.pass) {
      this.pass.count += 1;
      if (!this.pass.first) { this.pass.first = widget; }
    }
  };

  // The frame every built-in field shares: label, description, error list and the aria
  // links between them.
  Form.prototype.shell = function (semantic, id, opts) {
    var wrapper = el("div", { className: "ll-field ll-field-" + (semantic.type || "unknown") });
    var labelText = fieldLabel(semantic);
    var descriptionId = semantic.description ? id + "-description" : null;
    var errorsId = id + "-errors";
    var label = null;
    if (!opts || !opts.noLabel) {
      label = el(opts && opts.legend ? "span" : "label", { className: "ll-label", "for": opts && opts.legend ? null : id, id: id + "-label" }, [labelText]);
      if (semantic.optional) { label.appendChild(el("span", { className: "ll-optional", text: " (" + t("optional") + ")" })); }
    }
    var description = descriptionId ? el("p", { className: "ll-description", id: descriptionId, text: stripTags(semantic.description) }) : null;
    var errors = el("ul", { className: "ll-errors", id: errorsId, hidden: true });
    return {
      element: wrapper,
      label: label,
      description: description,
      errors: errors,
      describe: function (control) {
        if (descriptionId) { control.setAttribute("aria-describedby", descriptionId); }
      },
      show: function (messages, controls) {
        errors.textContent = "";
        messages.forEach(function (message) { errors.appendChild(el("li", { text: message })); });
        errors.hidden = messages.length === 0;
        wrapper.classList.toggle("ll-invalid", messages.length > 0);
        (controls || []).forEach(function (control) {
          var describedBy = descriptionId ? [descriptionId] : [];
          if (messages.length) {
            control.setAttribute("aria-invalid", "true");
            describedBy.push(errorsId);
          } else {
            control.removeAttribute("aria-invalid");
          }
          if (describedBy.length) { control.setAttribute("aria-describedby", describedBy.join(" ")); }
          else { control.removeAttribute("aria-describedby"); }
        });
      }
    };
  };

  // A built-in widget from its parts; validate() shows its own messages as it goes.
  Form.prototype.widget = function (parts) {
    var form = this;
    var widget = {
      llBuiltIn: true,
      element: parts.element,
      getValue: parts.getValue,
      focus: parts.focus || function () {},
      showErrors: function (messages) { if (parts.show) { parts.show(messages); } },
      validate: function () {
        if (widget.hiddenByRule) { return []; }
        var own = parts.ownErrors ? parts.ownErrors() : [];
        widget.showErrors(own);
        if (own.length) { form.markInvalid(widget); }
        var nested = parts.children ? parts.children().reduce(function (all, child) {
          return all.concat(form.check(child));
        }, []) : [];
        return own.concat(nested);
      }
    };
    return widget;
  };

  // --- text, number, boolean, select ------------------------------------------------------

  Form.prototype.initial = function (semantic, value, opts) {
    if (value !== undefined) { return value; }
    return opts.fresh && semantic.default !== undefined ? semantic.default : undefined;
  };

  Form.prototype.textField = function (semantic, value, opts) {
    var form = this;
    var id = uid(semantic.name);
    var shell = this.shell(semantic, id);
    var initial = this.initial(semantic, value, opts);
    // Rich text falls back to a textarea that keeps the HTML as it is when the html widget
    // is not loaded; plain text is shown decoded (the server stores it HTML-escaped).
    var isHtml = semantic.widget === "html" || Array.isArray(semantic.tags);
    var multiline = isHtml || semantic.widget === "textarea";
    var control = el(multiline ? "textarea" : "input", {
      id: id, name: id, className: "ll-input", type: multiline ? null : "text",
      rows: multiline ? (isHtml ? 5 : 3) : null,
      placeholder: semantic.placeholder ? stripTags(semantic.placeholder) : null,
      autocomplete: "off"
    });
    var shown = typeof initial === "string" ? (isHtml ? initial : decodeEntities(initial))
      : (initial === undefined || initial === null ? "" : String(initial));
    control.value = shown;
    shell.describe(control);
    var touched = false;
    control.addEventListener("input", function () { touched = true; form.changed(); });
    shell.element.appendChild(shell.label);
    if (shell.description) { shell.element.appendChild(shell.description); }
    shell.element.appendChild(control);
    shell.element.appendChild(shell.errors);
    function current() {
      if (!touched || control.value === shown) { return initial; }
      if (control.value === "" && (initial === undefined || initial === null)) { return initial; }
      return control.value;
    }
    return this.widget({
      element: shell.element,
      getValue: current,
      focus: function () { control.focus(); },
      show: function (messages) { shell.show(messages, [control]); },
      ownErrors: function () {
        var text = control.value;
        var messages = [];
        if (text.trim() === "") {
          if (!semantic.optional && (touched || opts.fresh)) { messages.push(t("required")); }
          return messages;
        }
        var length = isHtml ? text.length : text.length;
        if (typeof semantic.maxLength === "number" && length > semantic.maxLength) {
          messages.push(t("tooLong", { max: semantic.maxLength, length: length }));
        }
        if (isObject(semantic.regexp) && typeof semantic.regexp.pattern === "string") {
          try {
            var flags = String(semantic.regexp.modifiers || "").replace(/[^gimsuy]/g, "");
            if (!new RegExp(semantic.regexp.pattern, flags).test(text)) { messages.push(t("pattern")); }
          } catch (error) { /* a pattern JavaScript cannot read is not checked, as on the server */ }
        }
        return messages;
      }
    });
  };

  Form.prototype.numberField = function (semantic, value, opts) {
    var form = this;
    var id = uid(semantic.name);
    var shell = this.shell(semantic, id);
    var initial = this.initial(semantic, value, opts);
    var control = el("input", { id: id, name: id, className: "ll-input ll-number", type: "text", inputmode: "decimal", autocomplete: "off" });
    var shown = initial === undefined || initial === null ? "" : String(initial);
    control.value = shown;
    shell.describe(control);
    var touched = false;
    control.addEventListener("input", function () { touched = true; form.changed(); });
    shell.element.appendChild(shell.label);
    if (shell.description) { shell.element.appendChild(shell.description); }
    shell.element.appendChild(control);
    shell.element.appendChild(shell.errors);
    function parsed() {
      var text = control.value.trim().replace(",", ".");
      if (text === "" || !/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) { return NaN; }
      return Number(text);
    }
    return this.widget({
      element: shell.element,
      getValue: function () {
        if (!touched || control.value === shown) { return initial; }
        if (control.value.trim() === "") { return undefined; }
        var number = parsed();
        return isNaN(number) ? control.value : number;
      },
      focus: function () { control.focus(); },
      show: function (messages) { shell.show(messages, [control]); },
      ownErrors: function () {
        if (control.value.trim() === "") {
          return !semantic.optional && (touched || opts.fresh) ? [t("required")] : [];
        }
        var number = parsed();
        if (isNaN(number) || !isFinite(number)) { return [t("notNumber")]; }
        var messages = [];
        if (typeof semantic.min === "number" && number < semantic.min) { messages.push(t("tooSmall", { min: semantic.min })); }
        if (typeof semantic.max === "number" && number > semantic.max) { messages.push(t("tooLarge", { max: semantic.max })); }
        var decimals = typeof semantic.decimals === "number" ? semantic.decimals : 0;
        var fraction = (control.value.trim().replace(",", ".").split(".")[1] || "").replace(/[eE].*$/, "");
        if (fraction.replace(/0+$/, "").length > decimals) {
          messages.push(decimals ? t("decimals", { decimals: decimals }) : t("decimalsNone"));
        }
        if (typeof semantic.steps === "number" && semantic.steps > 0) {
          var base = typeof semantic.min === "number" ? semantic.min : 0;
          var ratio = (number - base) / semantic.steps;
          if (Math.abs(ratio - Math.round(ratio)) > 1e-9) { messages.push(t("steps", { steps: semantic.steps })); }
        }
        return messages;
      }
    });
  };

  Form.prototype.booleanField = function (semantic, value, opts) {
    var form = this;
    var id = uid(semantic.name);
    var shell = this.shell(semantic, id, { noLabel: true });
    var initial = value !== undefined ? value
      : (opts.fresh ? (semantic.default !== undefined ? semantic.default : false) : undefined);
    var control = el("input", { id: id, name: id, type: "checkbox", className: "ll-checkbox" });
    control.checked = initial === undefined ? semantic.default === true : initial === true;
    shell.describe(control);
    var touched = false;
    control.addEventListener("change", function () { touched = true; form.changed(); });
    var label = el("label", { "for": id, className: "ll-check-label" }, [control, " ", fieldLabel(semantic)]);
    shell.element.appendChild(label);
    if (shell.description) { shell.element.appendChild(shell.description); }
    shell.element.appendChild(shell.errors);
    return this.widget({
      element: shell.element,
      getValue: function () { return touched ? control.checked : initial; },
      focus: function () { control.focus(); },
      show: function (messages) { shell.show(messages, [control]); },
      ownErrors: function () { return []; }
    });
  };

  Form.prototype.selectField = function (semantic, value, opts) {
    var form = this;
    // Options of an optgroup count as the select's own (core's validateSelect flattens them).
    var options = [];
    (Array.isArray(semantic.options) ? semantic.options : []).filter(isObject).forEach(function (option) {
      if (option.type === "optgroup" && Array.isArray(option.options)) {
        option.options.filter(isObject).forEach(function (sub) { options.push(sub); });
      } else if (Object.prototype.hasOwnProperty.call(option, "value")) {
        options.push(option);
      }
    });
    if (!options.length) {
      // Choices filled in at run time (dynamicCheckboxes): the value is kept as it is.
      return this.hiddenField(semantic, value, opts);
    }
    var id = uid(semantic.name);
    var initial = this.initial(semantic, value, opts);
    var touched = false;
    function indexOf(item) {
      for (var i = 0; i < options.length; i += 1) { if (options[i].value === item) { return i; } }
      for (var j = 0; j < options.length; j += 1) { if (String(options[j].value) === String(item)) { return j; } }
      return -1;
    }
    function optionLabel(option) { return stripTags(option.label !== undefined ? option.label : option.value); }
    var onChange = function () { touched = true; form.changed(); };

    if (semantic.multiple) {
      var shellMulti = this.shell(semantic, id, { legend: true, noLabel: true });
      var boxes = [];
      var selected = Array.isArray(initial) ? initial : [];
      var fieldset = el("fieldset", { className: "ll-choices", id: id }, [el("legend", { className: "ll-label", text: fieldLabel(semantic) })]);
      if (shellMulti.description) { fieldset.appendChild(shellMulti.description); }
      options.forEach(function (option, index) {
        var boxId = id + "-" + index;
        var box = el("input", { type: "checkbox", id: boxId, name: id });
        box.checked = selected.some(function (item) { return indexOf(item) === index; });
        box.addEventListener("change", onChange);
        boxes.push(box);
        fieldset.appendChild(el("label", { "for": boxId, className: "ll-check-label" }, [box, " ", optionLabel(option)]));
      });
      fieldset.appendChild(shellMulti.errors);
      shellMulti.element.appendChild(fieldset);
      return this.widget({
        element: shellMulti.element,
        getValue: function () {
          if (!touched) { return initial; }
          return options.filter(function (_, index) { return boxes[index].checked; }).map(function (o) { return o.value; });
        },
        focus: function () { boxes[0].focus(); },
        show: function (messages) { shellMulti.show(messages, [fieldset]); },
        ownErrors: function () { return []; }
      });
    }

    var hasBlank = semantic.optional === true || semantic.default === undefined;
    var start = initial === undefined || initial === null || initial === "" ? -1 : indexOf(initial);

    if (semantic.widget === "radioGroup") {
      var shellRadio = this.shell(semantic, id, { legend: true, noLabel: true });
      var radios = [];
      var group = el("fieldset", { className: "ll-choices ll-radio-group", id: id }, [el("legend", { className: "ll-label", text: fieldLabel(semantic) })]);
      if (shellRadio.description) { group.appendChild(shellRadio.description); }
      options.forEach(function (option, index) {
        var radioId = id + "-" + index;
        var radio = el("input", { type: "radio", id: radioId, name: id, value: String(index) });
        radio.checked = index === start;
        radio.addEventListener("change", onChange);
        radios.push(radio);
        group.appendChild(el("label", { "for": radioId, className: "ll-check-label" }, [radio, " ", optionLabel(option)]));
      });
      group.appendChild(shellRadio.errors);
      shellRadio.element.appendChild(group);
      var checkedIndex = function () {
        for (var i = 0; i < radios.length; i += 1) { if (radios[i].checked) { return i; } }
        return -1;
      };
      return this.widget({
        element: shellRadio.element,
        getValue: function () {
          if (!touched) { return initial; }
          var index = checkedIndex();
          return index < 0 ? initial : options[index].value;
        },
        focus: function () { (radios[Math.max(0, checkedIndex())] || radios[0]).focus(); },
        show: function (messages) { shellRadio.show(messages, [group]); },
        ownErrors: function () {
          if (checkedIndex() < 0 && !semantic.optional && (touched || opts.fresh)) { return [t("required")]; }
          return [];
        }
      });
    }

    var shell = this.shell(semantic, id);
    var select = el("select", { id: id, name: id, className: "ll-select" });
    if (hasBlank || start < 0) { select.appendChild(el("option", { value: "", text: "-" })); }
    options.forEach(function (option, index) {
      select.appendChild(el("option", { value: String(index), text: optionLabel(option) }));
    });
    select.value = start < 0 ? "" : String(start);
    shell.describe(select);
    select.addEventListener("change", onChange);
    shell.element.appendChild(shell.label);
    if (shell.description) { shell.element.appendChild(shell.description); }
    shell.element.appendChild(select);
    shell.element.appendChild(shell.errors);
    return this.widget({
      element: shell.element,
      getValue: function () {
        if (!touched || select.value === (start < 0 ? "" : String(start))) { return initial; }
        if (select.value === "") { return undefined; }
        return options[Number(select.value)].value;
      },
      current: function () { return select.value === "" ? undefined : options[Number(select.value)].value; },
      focus: function () { select.focus(); },
      show: function (messages) { shell.show(messages, [select]); },
      ownErrors: function () {
        if (select.value === "" && !semantic.optional && (touched || opts.fresh)) { return [t("required")]; }
        return [];
      }
    });
  };

  Form.prototype.colorField = function (semantic, value, opts) {
    var form = this;
    var id = uid(semantic.name);
    var shell = this.shell(semantic, id);
    var initial = this.initial(semantic, value, opts);
    var control = el("input", { id: id, name: id, type: "color", className: "ll-color" });
    if (typeof initial === "string" && /^#[0-9a-f]{6}$/i.test(initial)) { control.value = initial; }
    var touched = false;
    control.addEventListener("input", function () { touched = true; form.changed(); });
    shell.describe(control);
    shell.element.appendChild(shell.label);
    if (shell.description) { shell.element.appendChild(shell.description); }
    shell.element.appendChild(control);
    shell.element.appendChild(shell.errors);
    return this.widget({
      element: shell.element,
      getValue: function () { return touched ? control.value : initial; },
      focus: function () { control.focus(); },
      show: function (messages) { shell.show(messages, [control]); }
    });
  };

  // `widget: "none"` and anything the engine cannot show: hidden, the value kept as it is.
  Form.prototype.hiddenField = function (semantic, value, opts) {
    var initial = this.initial(semantic, value, opts);
    var element = el("div", { className: "ll-hidden-field", hidden: true, "data-name": semantic.name || "" });
    return this.widget({ element: element, getValue: function () { return initial; } });
  };

  // --- group, list ------------------------------------------------------------------------

  // The fields of semantics.json's top level, a group or a sub-content library: one object
  // whose keys keep the given order (ROUND TRIP RULE); a key is deleted only when its
  // widget returns undefined.
  Form.prototype.fieldsBlock = function (fields, value, pathFn, opts) {
    var form = this;
    var scope = { byName: Object.create(null), parent: opts.scope || null };
    var element = el("div", { className: "ll-fields" });
    var children = [];
    (fields || []).filter(isObject).forEach(function (semantic) {
      var name = semantic.name;
      var childPath = function () { var base = pathFn(); return base ? base + "." + name : name; };
      var childValue = isObject(value) ? value[name] : undefined;
      var widget = form.build(semantic, childValue, childPath, {
        fresh: opts.fresh, scope: scope, libKey: opts.libKey, libTitle: opts.libTitle,
        relPath: (opts.relPath ? opts.relPath + "." : "") + name, inCommon: opts.inCommon
      });
      children.push({ name: name, widget: widget });
      element.appendChild(widget.element);
    });
    return {
      element: element,
      scope: scope,
      children: function () { return children.map(function (child) { return child.widget; }); },
      getValue: function () {
        var result = copyObject(value);
        var any = false;
        children.forEach(function (child) {
          var childValue = child.widget.getValue();
          if (childValue === undefined) { delete result[child.name]; }
          else { result[child.name] = childValue; any = true; }
        });
        if (!isObject(value) && !any && !opts.fresh) { return value; }
        return result;
      },
      focus: function () { if (children.length) { children[0].widget.focus(); } }
    };
  };

  Form.prototype.groupField = function (semantic, value, pathFn, opts) {
    var fields = (semantic.fields || []).filter(isObject);
    if (fields.length === 1) {
      // H5P stores a one-field group as that field's value; without a label of its own it
      // is shown as that field.
      var only = this.build(fields[0], value, pathFn, {
        fresh: opts.fresh, scope: opts.scope ? { byName: Object.create(null), parent: opts.scope } : null,
        libKey: opts.libKey, libTitle: opts.libTitle, relPath: opts.relPath, inCommon: opts.inCommon
      });
      if (!semantic.label) { return only; }
      var box = this.collapsible(semantic, [only.element]);
      return this.widget({
        element: box.element,
        getValue: function () { return only.getValue(); },
        focus: function () { box.open(); only.focus(); },
        children: function () { return [only]; }
      });
    }
    var block = this.fieldsBlock(fields, value, pathFn, opts);
    var section = this.collapsible(semantic, [block.element]);
    var isNewSubContent = semantic.isSubContent === true && opts.fresh && !isObject(value);
    var newId = isNewSubContent ? uuid() : null;
    return this.widget({
      element: section.element,
      getValue: function () {
        var result = block.getValue();
        if (newId && isObject(result) && !result.subContentId) { result.subContentId = newId; }
        return result;
      },
      focus: function () { section.open(); block.focus(); },
      show: function (messages) { section.show(messages); },
      children: block.children
    });
  };

  // A group's frame: a <details> with the label as its summary (open unless the semantics
  // say `expanded: false`), so long forms can be folded.
  Form.prototype.collapsible = function (semantic, contents) {
    var id = uid(semantic.name);
    var details = el("details", { className: "ll-group", id: id });
    details.open = semantic.expanded !== false;
    details.appendChild(el("summary", { className: "ll-group-title" }, [fieldLabel(semantic)]));
    if (semantic.description) { details.appendChild(el("p", { className: "ll-description", text: stripTags(semantic.description) })); }
    var errors = el("ul", { className: "ll-errors", id: id + "-errors", hidden: true });
    details.appendChild(errors);
    var body = el("div", { className: "ll-group-body" }, contents);
    details.appendChild(body);
    return {
      element: details,
      open: function () { details.open = true; },
      show: function (messages) {
        errors.textContent = "";
        messages.forEach(function (message) { errors.appendChild(el("li", { text: message })); });
        errors.hidden = !messages.length;
        if (messages.length) { details.open = true; }
      }
    };
  };

  Form.prototype.listField = function (semantic, value, pathFn, opts) {
    var form = this;
    var itemSemantic = isObject(semantic.field) ? semantic.field : { type: "text", name: "item" };
    var entity = semantic.entity || t("item");
    var id = uid(semantic.name);
    var given = Array.isArray(value) ? value : (isObject(value) ? Object.keys(value).map(function (k) { return value[k]; }) : undefined);
    var structureChanged = false;
    var items = [];  // {widget, element, index}
    var heading = el("h3", { className: "ll-list-title", id: id + "-label", text: fieldLabel(semantic) });
    var section = el("section", { className: "ll-field ll-list", "aria-labelledby": id + "-label", id: id }, [heading]);
    if (semantic.description) { section.appendChild(el("p", { className: "ll-description", text: stripTags(semantic.description) })); }
    var errors = el("ul", { className: "ll-errors", id: id + "-errors", hidden: true });
    section.appendChild(errors);
    var list = el("ol", { className: "ll-list-items" });
    section.appendChild(list);
    var addButton = el("button", { type: "button", className: "ll-add secondary", text: t("add", { entity: entity }) });
    section.appendChild(addButton);

    function itemPath(item) { return function () { return pathFn() + "[" + items.indexOf(item) + "]"; }; }

    function relabel() {
      items.forEach(function (item, index) {
        var number = index + 1;
        item.title.textContent = entity.charAt(0).toUpperCase() + entity.slice(1) + " " + number;
        item.up.setAttribute("aria-label", t("moveUpLabel", { entity: entity, number: number }));
        item.down.setAttribute("aria-label", t("moveDownLabel", { entity: entity, number: number }));
        item.remove.setAttribute("aria-label", t("removeLabel", { entity: entity, number: number }));
        item.up.disabled = index === 0;
        item.down.disabled = index === items.length - 1;
      });
      addButton.disabled = typeof semantic.max === "number" && items.length >= semantic.max;
    }

    function addItem(itemValue, fresh) {
      var item = {};
      item.title = el("span", { className: "ll-item-title" });
      item.up = el("button", { type: "button", className: "ll-move secondary", text: "↑", title: t("moveUp") });
      item.down = el("button", { type: "button", className: "ll-move secondary", text: "↓", title: t("moveDown") });
      item.remove = el("button", { type: "button", className: "ll-remove secondary", text: t("remove") });
      var tools = el("div", { className: "ll-item-tools" }, [item.title, el("span", { className: "ll-item-buttons" }, [item.up, item.down, item.remove])]);
      item.widget = form.build(itemSemantic, itemValue, itemPath(item), {
        fresh: fresh, scope: opts.scope ? { byName: Object.create(null), parent: opts.scope } : null,
        libKey: opts.libKey, libTitle: opts.libTitle, relPath: (opts.relPath || "") + "[]", inCommon: opts.inCommon
      });
      item.element = el("li", { className: "ll-list-item" }, [tools, item.widget.element]);
      item.up.addEventListener("click", function () { move(item, -1, item.up); });
      item.down.addEventListener("click", function () { move(item, 1, item.down); });
      item.remove.addEventListener("click", function () { removeItem(item); });
      items.push(item);
      list.appendChild(item.element);
      return item;
    }

    function move(item, step, button) {
      var index = items.indexOf(item);
      var target = index + step;
      if (target < 0 || target >= items.length) { return; }
      items.splice(index, 1);
      items.splice(target, 0, item);
      if (step < 0) { list.insertBefore(item.element, items[target + 1].element); }
      else { list.insertBefore(item.element, items[target - 1].element.nextSibling); }
      structureChanged = true;
      relabel();
      form.changed();
      // Keyboard users stay on the item they move; at the end the other button takes over.
      (button.disabled ? (step < 0 ? item.down : item.up) : button).focus();
    }

    function removeItem(item) {
      var index = items.indexOf(item);
      items.splice(index, 1);
      list.removeChild(item.element);
      structureChanged = true;
      relabel();
      form.changed();
      var next = items[Math.min(index, items.length - 1)];
      (next ? next.remove : addButton).focus();
    }

    addButton.addEventListener("click", function () {
      var item = addItem(undefined, true);
      structureChanged = true;
      relabel();
      form.refreshShowWhen();
      form.changed();
      item.widget.focus();
    });

    if (given) {
      given.forEach(function (itemValue) { addItem(itemValue, opts.fresh); });
    } else if (opts.fresh) {
      var count = typeof semantic.defaultNum === "number" ? semantic.defaultNum
        : (typeof semantic.min === "number" ? semantic.min : 1);
      for (var i = 0; i < count; i += 1) { addItem(undefined, true); }
      if (count) { structureChanged = true; }
    }
    relabel();

    return this.widget({
      element: section,
      getValue: function () {
        if (!given && !structureChanged) { return value; }
        var result = [];
        items.forEach(function (item) {
          var itemValue = item.widget.getValue();
          if (itemValue !== undefined) { result.push(itemValue); }
        });
        return result;
      },
      focus: function () { (items.length ? items[0].widget : { focus: function () { addButton.focus(); } }).focus(); },
      show: function (messages) {
        errors.textContent = "";
        messages.forEach(function (message) { errors.appendChild(el("li", { text: message })); });
        errors.hidden = !messages.length;
        section.classList.toggle("ll-invalid", messages.length > 0);
      },
      ownErrors: function () {
        if (!given && !structureChanged) { return []; }
        if (typeof semantic.min === "number" && items.length < semantic.min) { return [t("listMin", { min: semantic.min })]; }
        if (typeof semantic.max === "number" && items.length > semantic.max) { return [t("listMax", { max: semantic.max })]; }
        return [];
      },
      children: function () { return items.map(function (item) { return item.widget; }); }
    });
  };

  // --- library (sub-content) ----------------------------------------------------------------

  Form.prototype.libraryField = function (semantic, value, pathFn, opts) {
    var form = this;
    var id = uid(semantic.name);
    var shell = this.shell(semantic, id);
    var names = (semantic.options || []).filter(function (option) { return typeof option === "string"; });
    var given = isObject(value) && typeof value.library === "string" ? value : null;
    var select = el("select", { id: id, name: id, className: "ll-select", disabled: true });
    select.appendChild(el("option", { value: "", text: t("loading") }));
    shell.describe(select);
    var note = el("p", { className: "ll-note", hidden: true });
    var titleId = id + "-title";
    var titleInput = el("input", { id: titleId, type: "text", className: "ll-input", autocomplete: "off" });
    var titleRow = el("div", { className: "ll-field ll-subcontent-title", hidden: true }, [
      el("label", { "for": titleId, className: "ll-label", text: t("subContentTitle") }), titleInput
    ]);
    var body = el("div", { className: "ll-subcontent" });
    shell.element.classList.add("ll-library");
    shell.element.appendChild(shell.label);
    if (shell.description) { shell.element.appendChild(shell.description); }
    shell.element.appendChild(select);
    shell.element.appendChild(shell.errors);
    shell.element.appendChild(note);
    shell.element.appendChild(titleRow);
    shell.element.appendChild(body);

    var state = {
      chosen: given ? given.library : null,  // the uberName of the shown form
      keepGiven: !!given,                    // the given value is shown (not replaced)
      block: null,
      fresh: !given,
      newId: null,
      newMetadata: null,
      titleShown: "",
      preserved: false,                      // not editable: the given value is kept whole
      touched: false
    };
    if (given && isObject(given.metadata) && typeof given.metadata.title === "string") {
      titleInput.value = decodeEntities(given.metadata.title);
    }
    state.titleShown = titleInput.value;
    titleInput.addEventListener("input", function () { form.changed(); });

    var byName = Object.create(null);

    function showForm(uberName, params, fresh) {
      body.textContent = "";
      state.block = null;
      note.hidden = true;
      var info = byName[uberName];
      titleRow.hidden = true;
      if (!info || info.installed === false) {
        state.preserved = true;
        note.textContent = t("notInstalled", { name: uberName });
        note.hidden = false;
        return Promise.resolve();
      }
      if (info.editable === false) {
        state.preserved = true;
        note.textContent = t("notEditable", { reason: info.notEditableReason || "" });
        note.hidden = false;
        return Promise.resolve();
      }
      state.preserved = false;
      body.appendChild(el("p", { className: "ll-loading", text: t("loading") }));
      return form.api.library(info.uberName, form.language).then(function (library) {
        body.textContent = "";
        state.block = form.fieldsBlock(library.semantics || [], params, function () { return pathFn() + ".params"; }, {
          fresh: fresh, scope: null, libKey: library.uberName || uberName, libTitle: library.title || info.title, relPath: ""
        });
        body.appendChild(state.block.element);
        titleRow.hidden = false;
        form.refreshShowWhen();
      }, function (error) {
        body.textContent = "";
        state.preserved = true;
        note.textContent = t("loadFailed", { reason: error.message });
        note.hidden = false;
      });
    }

    var loading = form.api.libraryOptions(names).then(function (found) {
      select.textContent = "";
      select.appendChild(el("option", { value: "", text: t("none") }));
      found.forEach(function (info) {
        byName[info.uberName] = info;
        if (info.installed === false) { return; }
        var label = info.title || info.uberName;
        if (info.editable === false) { label += " (" + t("notEditableHeading").toLowerCase() + ")"; }
        select.appendChild(el("option", { value: info.uberName, text: label }));
      });
      if (given) {
        if (!byName[given.library]) {
          // The stored version is not among the options: a same-named option edits it.
          var machine = given.library.split(" ")[0];
          var match = found.filter(function (info) { return info.uberName.split(" ")[0] === machine && info.installed !== false; })[0];
          byName[given.library] = match ? Object.assign({}, match, { uberName: given.library }) : { uberName: given.library, installed: false };
          select.appendChild(el("option", { value: given.library, text: (match && match.title) || given.library }));
        }
        select.value = given.library;
      }
      select.disabled = false;
      if (given) { return showForm(given.library, isObject(given.params) ? given.params : {}, opts.fresh && !isObject(given.params)); }
      return null;
    }, function (error) {
      select.textContent = "";
      select.appendChild(el("option", { value: "", text: "-" }));
      note.textContent = t("loadFailed", { reason: error.message });
      note.hidden = false;
      state.preserved = true;
    });
    form.track(loading);

    select.addEventListener("change", function () {
      state.touched = true;
      var uberName = select.value;
      state.chosen = uberName || null;
      if (given && uberName === given.library) {
        state.keepGiven = true;
        form.track(showForm(uberName, isObject(given.params) ? given.params : {}, false));
      } else if (uberName) {
        state.keepGiven = false;
        state.newId = uuid();
        var info = byName[uberName] || {};
        var title = info.title || uberName.split(" ")[0];
        state.newMetadata = { contentType: title, license: "U", title: "Untitled " + title };
        titleInput.value = state.newMetadata.title;
        state.titleShown = titleInput.value;
        form.track(showForm(uberName, {}, true));
      } else {
        state.keepGiven = false;
        body.textContent = "";
        state.block = null;
        titleRow.hidden = true;
        note.hidden = true;
      }
      form.changed();
    });

    function metadataWithTitle(metadata) {
      if (titleInput.value === state.titleShown) { return metadata; }
      var result = copyObject(metadata);
      result.title = titleInput.value;
      return result;
    }

    return this.widget({
      element: shell.element,
      getValue: function () {
        if (state.keepGiven) {
          if (state.preserved || !state.block) { return value; }
          var result = copyObject(given);
          result.params = state.block.getValue() || {};
          if (isObject(given.metadata) || titleInput.value !== state.titleShown) {
            result.metadata = metadataWithTitle(isObject(given.metadata) ? given.metadata : {});
          }
          return result;
        }
        if (!state.chosen) { return state.touched ? undefined : value; }
        return {
          library: state.chosen,
          params: state.block ? (state.block.getValue() || {}) : {},
          subContentId: state.newId,
          metadata: metadataWithTitle(state.newMetadata)
        };
      },
      focus: function () { select.focus(); },
      show: function (messages) { shell.show(messages, [select]); },
      ownErrors: function () {
        if (!select.value && !semantic.optional && (state.touched || opts.fresh) && !select.disabled) { return [t("required")]; }
        return [];
      },
      children: function () { return state.block ? state.block.children() : []; }
    });
  };

  // --- files ---------------------------------------------------------------------------------

  Form.prototype.fileField = function (semantic, value, opts) {
    var form = this;
    var id = uid(semantic.name);
    var kind = semantic.type;
    var shell = this.shell(semantic, id, { noLabel: true });
    var initial = this.initial(semantic, value, opts);
    var current = initial;
    var changed = false;
    var uploading = false;
    var uploadError = "";
    var heading = el("p", { className: "ll-label", id: id + "-label", text: fieldLabel(semantic) });
    var preview = el("div", { className: "ll-file-preview" });
    var input = el("input", { type: "file", id: id, className: "ll-file-input", accept: FILE_ACCEPT[kind] || null });
    var inputLabel = el("label", { "for": id, className: "ll-file-label" }, [t("upload") + " (" + fieldLabel(semantic) + ")"]);
    var removeButton = el("button", { type: "button", className: "secondary ll-remove-file", text: t("removeFile") });
    var status = el("p", { className: "ll-file-status", role: "status" });
    shell.describe(input);
    shell.element.appendChild(heading);
    if (shell.description) { shell.element.appendChild(shell.description); }
    shell.element.appendChild(preview);
    shell.element.appendChild(el("div", { className: "ll-file-controls" }, [inputLabel, input, removeButton]));
    shell.element.appendChild(status);
    shell.element.appendChild(shell.errors);

    function firstFile(val) { return Array.isArray(val) ? val[0] : val; }
    function render() {
      preview.textContent = "";
      var file = firstFile(current);
      removeButton.hidden = !file;
      if (!file || !file.path) { preview.appendChild(el("p", { className: "ll-note", text: t("noFile") })); return; }
      var url = form.fileUrl(file.path);
      if (kind === "image" && url) {
        preview.appendChild(el("img", { src: url, alt: "", className: "ll-thumb" }));
      }
      preview.appendChild(el("p", { className: "ll-note", text: t("currentFile", { path: file.path.replace(/#tmp$/, "") }) }));
    }
    render();

    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      var prefix = FILE_MIME_PREFIX[kind];
      if (prefix && file.type && file.type.indexOf(prefix) !== 0) {
        uploadError = t("wrongFileType");
        shell.show([uploadError], [input]);
        return;
      }
      uploading = true;
      uploadError = "";
      status.textContent = t("uploading");
      form.uploadFile(file, semantic).then(function (data) {
        var stored = { path: data.path, mime: data.mime };
        if (typeof data.width === "number") { stored.width = data.width; }
        if (typeof data.height === "number") { stored.height = data.height; }
        var before = firstFile(current);
        if (isObject(before) && isObject(before.copyright)) { stored.copyright = before.copyright; }
        current = kind === "video" || kind === "audio" ? [stored] : stored;
        changed = true;
        status.textContent = "";
        render();
        shell.show([], [input]);
        form.changed();
      }, function (error) {
        uploadError = t("uploadFailed", { reason: error.message });
        status.textContent = "";
        shell.show([uploadError], [input]);
      }).then(function () { uploading = false; input.value = ""; });
    });
    removeButton.addEventListener("click", function () {
      current = undefined;
      changed = true;
      render();
      form.changed();
      input.focus();
    });

    return this.widget({
      element: shell.element,
      getValue: function () { return changed ? current : initial; },
      focus: function () { input.focus(); },
      show: function (messages) { shell.show(messages, [input]); },
      ownErrors: function () {
        if (uploadError) { return [uploadError]; }
        if (uploading) { return [t("uploading")]; }
        if (!firstFile(current) && !semantic.optional && (changed || opts.fresh)) { return [t("required")]; }
        return [];
      }
    });
  };

  // --- showWhen, common fields ------------------------------------------------------------------

  Form.prototype.showWhenField = function (semantic, value, pathFn, opts) {
    var rule = semantic.showWhen;
    var inner = copyObject(semantic);
    if (rule.widget) { inner.widget = rule.widget; } else { delete inner.widget; }
    var widget = this.build(inner, value, pathFn, Object.assign({}, opts, { inShowWhen: true, scope: null }));
    // The inner widget was registered under its own entry; this wrapper adds the rule.
    var wrapper = el("div", { className: "ll-show-when" }, [widget.element]);
    var proxy = {
      llBuiltIn: widget.llBuiltIn,
      element: wrapper,
      semantic: semantic,
      getValue: function () { return widget.getValue(); },
      validate: function () { return proxy.hiddenByRule ? [] : widget.validate(); },
      showErrors: function (messages) { widget.showErrors(messages); },
      focus: function () { widget.focus(); },
      inner: widget
    };
    this.showWhens.push({ widget: proxy, rules: rule.rules || [], type: rule.type, scope: opts.scope, detach: rule.detach });
    return proxy;
  };

  function lookup(scope, reference) {
    var parts = String(reference || "").split("/");
    var current = scope;
    for (var i = 0; i < parts.length - 1; i += 1) {
      if (parts[i] === "..") { current = current && current.parent; }
    }
    var name = parts[parts.length - 1];
    while (current) {
      if (current.byName[name]) { return current.byName[name]; }
      current = current.parent;
    }
    return null;
  }

  function currentValue(entry) {
    var widget = entry.widget.inner || entry.widget;
    var value = typeof widget.current === "function" ? widget.current() : widget.getValue();
    if (value === undefined) { value = entry.semantic.default; }
    if (isObject(value) && typeof value.library === "string") { return value.library; }
    return value;
  }

  Form.prototype.refreshShowWhen = function () {
    this.showWhens.forEach(function (item) {
      var results = (item.rules || []).map(function (rule) {
        var entry = lookup(item.scope, rule.field);
        if (!entry) { return true; }
        var value = currentValue(entry);
        var wanted = Array.isArray(rule.equals) ? rule.equals : [rule.equals];
        return wanted.some(function (option) {
          if (option === value) { return true; }
          // A library field compares by uberName or by machine name.
          return typeof value === "string" && typeof option === "string" && value.split(" ")[0] === option.split(" ")[0] && option.indexOf(" ") < 0;
        });
      });
      var visible = !results.length || (item.type === "and" ? results.every(Boolean) : results.some(Boolean));
      item.widget.hiddenByRule = !visible;
      item.widget.element.hidden = !visible;
    });
  };

  Form.prototype.commonSection = function (libKey, libTitle) {
    if (!this.commonSections[libKey]) {
      var details = el("details", { className: "ll-group ll-common" });
      details.appendChild(el("summary", { className: "ll-group-title", text: t("commonFields", { title: libTitle || libKey }) }));
      var body = el("div", { className: "ll-group-body" });
      details.appendChild(body);
      this.commonRoot.appendChild(details);
      this.commonSections[libKey] = { element: details, body: body };
    }
    return this.commonSections[libKey];
  };

  // A `common` field is edited once per library; every occurrence keeps its own stored value
  // until the shared field is changed (ROUND TRIP RULE), then takes the shared value.
  Form.prototype.commonField = function (semantic, value, pathFn, opts) {
    var key = opts.libKey + "|" + opts.relPath;
    var entry = this.commons[key];
    if (!entry) {
      var shared = this.build(semantic, value, pathFn, Object.assign({}, opts, { inCommon: true, scope: null }));
      this.commonSection(opts.libKey, opts.libTitle).body.appendChild(shared.element);
      entry = { shared: shared, start: JSON.stringify(shared.getValue()) };
      this.commons[key] = entry;
      this.commonWidgets.push(shared);
    }
    var own = value;
    var fresh = opts.fresh;
    return {
      llBuiltIn: true,
      element: el("div", { hidden: true, className: "ll-common-placeholder" }),
      getValue: function () {
        var sharedValue = entry.shared.getValue();
        if (JSON.stringify(sharedValue) === entry.start) { return own !== undefined ? own : (fresh ? sharedValue : undefined); }
        return sharedValue;
      },
      validate: function () { return []; },
      showErrors: function (messages) {
        var details = entry.shared.element.closest("details");
        if (details) { details.open = true; }
        entry.shared.showErrors(messages);
      },
      focus: function () {
        var details = entry.shared.element.closest("details");
        if (details) { details.open = true; }
        entry.shared.focus();
      }
    };
  };

  // --- metadata (h5p.json) ----------------------------------------------------------------------

  // Field limits follow the content API's MetadataIn (learnloop/h5p/schemas.py).
  Form.prototype.metadataForm = function (metadata, fresh) {
    var form = this;
    var given = isObject(metadata) ? metadata : {};
    var prefix = function (name) { return function () { return "metadata." + name; }; };
    var textField = function (name, label, extra) {
      return form.build(Object.assign({ name: name, type: "text", label: label, optional: true }, extra || {}), given[name], prefix(name), { fresh: fresh, scope: null });
    };
    var title = textField("title", t("title"), { optional: false, maxLength: 255 });
    var license = form.build({
      name: "license", type: "select", label: t("license"), default: "U",
      options: LICENSES.map(function (l) { return { value: l.value, label: l.label }; })
    }, given.license, prefix("license"), { fresh: true, scope: null });
    // The license version's choices depend on the license.
    var versionId = uid("licenseVersion");
    var versionSelect = el("select", { id: versionId, className: "ll-select" });
    var versionRow = el("div", { className: "ll-field ll-field-select" }, [
      el("label", { "for": versionId, className: "ll-label", text: t("licenseVersion") }), versionSelect
    ]);
    var versionTouched = false;
    var givenVersion = given.licenseVersion;
    function licenseValue() { var v = license.getValue(); return v === undefined ? "U" : v; }
    function fillVersions() {
      var info = LICENSES.filter(function (l) { return l.value === licenseValue(); })[0];
      var versions = (info && info.versions) || [];
      var before = versionSelect.value;
      versionSelect.textContent = "";
      versions.forEach(function (v) { versionSelect.appendChild(el("option", { value: v.value, text: v.label })); });
      versionRow.hidden = versions.length === 0;
      if (versions.some(function (v) { return v.value === before; })) { versionSelect.value = before; }
      else if (!versionTouched && versions.some(function (v) { return v.value === givenVersion; })) { versionSelect.value = givenVersion; }
    }
    versionSelect.addEventListener("change", function () { versionTouched = true; form.changed(); });
    license.element.addEventListener("change", function () { versionTouched = true; fillVersions(); });
    fillVersions();
    var authors = form.build({
      name: "authors", type: "list", label: t("authors"), entity: t("author"), defaultNum: 0, optional: true,
      field: { name: "author", type: "group", label: t("author"), fields: [
        { name: "name", type: "text", label: t("authorName"), maxLength: 255 },
        { name: "role", type: "select", label: t("authorRole"), default: "Author",
          options: AUTHOR_ROLES.map(function (r) { return { value: r, label: r }; }) }
      ] }
    }, given.authors, prefix("authors"), { fresh: false, scope: null });
    var yearFrom = form.build({ name: "yearFrom", type: "number", label: t("yearFrom"), optional: true, min: -9999, max: 9999 }, given.yearFrom, prefix("yearFrom"), { fresh: false, scope: null });
    var yearTo = form.build({ name: "yearTo", type: "number", label: t("yearTo"), optional: true, min: -9999, max: 9999 }, given.yearTo, prefix("yearTo"), { fresh: false, scope: null });
    var source = textField("source", t("source"), { maxLength: 2048 });
    var extras = textField("licenseExtras", t("licenseExtras"), { widget: "textarea", maxLength: 5000 });
    var changes = form.build({
      name: "changes", type: "list", label: t("changes"), entity: t("change"), defaultNum: 0, optional: true,
      field: { name: "change", type: "group", label: t("change"), fields: [
        { name: "date", type: "text", label: t("changeDate"), maxLength: 64, optional: true },
        { name: "author", type: "text", label: t("changeAuthor"), maxLength: 255, optional: true },
        { name: "log", type: "text", widget: "textarea", label: t("changeLog"), maxLength: 5000, optional: true }
      ] }
    }, given.changes, prefix("changes"), { fresh: false, scope: null });
    var comments = textField("authorComments", t("authorComments"), { widget: "textarea", maxLength: 5000 });
    var parts = [
      ["title", title], ["license", license], ["authors", authors], ["source", source],
      ["yearFrom", yearFrom], ["yearTo", yearTo], ["licenseExtras", extras], ["changes", changes],
      ["authorComments", comments]
    ];
    var details = el("details", { className: "ll-group ll-metadata", open: true });
    details.appendChild(el("summary", { className: "ll-group-title", text: t("metadata") }));
    var body = el("div", { className: "ll-group-body" });
    // The less used fields fold away (open when one of them has a value).
    var more = el("details", { className: "ll-group ll-metadata-more" });
    more.appendChild(el("summary", { className: "ll-group-title", text: t("moreMetadata") }));
    var moreBody = el("div", { className: "ll-group-body" });
    more.appendChild(moreBody);
    var secondary = ["source", "yearFrom", "yearTo", "licenseExtras", "changes", "authorComments"];
    parts.forEach(function (part) {
      var folded = secondary.indexOf(part[0]) >= 0;
      (folded ? moreBody : body).appendChild(part[1].element);
      if (folded && given[part[0]] !== undefined && given[part[0]] !== "" &&
          !(Array.isArray(given[part[0]]) && !given[part[0]].length)) { more.open = true; }
      if (part[0] === "license") { body.appendChild(versionRow); }
    });
    body.appendChild(more);
    details.appendChild(body);
    return {
      element: details,
      title: title,
      children: function () { return parts.map(function (p) { return p[1]; }); },
      getValue: function () {
        var result = copyObject(given);
        parts.forEach(function (part) {
          var v = part[1].getValue();
          if (v === undefined) { delete result[part[0]]; } else { result[part[0]] = v; }
        });
        // An untouched version stays as given; new content gets the shown one.
        if (versionTouched) {
          if (versionRow.hidden) { delete result.licenseVersion; } else { result.licenseVersion = versionSelect.value; }
        } else if (given.licenseVersion === undefined && fresh && !versionRow.hidden) {
          result.licenseVersion = versionSelect.value;
        }
        if (!result.license) { result.license = "U"; }
        return result;
      }
    };
  };

  // --- the whole form ----------------------------------------------------------------------

  Form.prototype.validate = function () {
    var form = this;
    this.pass = { first: null, count: 0 };
    var problems = [];
    [this.metadata].concat([this.main]).forEach(function (block) {
      block.children().forEach(function (child) { problems = problems.concat(form.check(child)); });
    });
    this.commonWidgets.forEach(function (widget) { problems = problems.concat(form.check(widget)); });
    var pass = this.pass;
    this.pass = null;
    return { count: Math.max(pass.count, problems.length ? 1 : 0), first: pass.first };
  };

  Form.prototype.params = function () {
    return this.main.getValue() || {};
  };

  Form.prototype.metadataValue = function () {
    return this.metadata.getValue();
  };

  Form.prototype.widgetAt = function (path) {
    var wanted = String(path || "");
    while (wanted) {
      for (var i = 0; i < this.nodes.length; i += 1) {
        var node = this.nodes[i];
        if (node.widget.element.isConnected !== false && node.pathFn() === wanted) { return node.widget; }
      }
      // Not shown as such (e.g. inside a visual widget): the nearest field around it.
      var shorter = wanted.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
      if (shorter === wanted) { break; }
      wanted = shorter;
    }
    return null;
  };

  // Opens the folded groups around a field before it gets the focus.
  function reveal(widget) {
    var node = widget.element;
    while (node) {
      if (node.tagName === "DETAILS") { node.open = true; }
      node = node.parentElement;
    }
  }

  Form.prototype.setStatus = function (kind, message, links) {
    var box = this.statusBox;
    box.textContent = "";
    box.className = "ll-status " + kind;
    box.hidden = !message;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    if (!message) { return; }
    box.appendChild(el("p", { text: message }));
    if (links && links.length) {
      var list = el("p", { className: "actions" });
      links.forEach(function (link) { list.appendChild(el("a", { href: link.href, className: "button secondary", text: link.text })); list.appendChild(document.createTextNode(" ")); });
      box.appendChild(list);
    }
  };

  Form.prototype.save = function () {
    var form = this;
    if (this.saving) { return Promise.resolve(false); }
    this.saving = true;
    this.saveButton.disabled = true;
    this.root.setAttribute("data-state", "saving");
    this.setStatus("info", t("saving"));
    return this.settled().then(function () {
      if (form.clientValidation) {
        var result = form.validate();
        if (result.count) {
          form.setStatus("error", t("fixProblems", { count: result.count }));
          if (result.first) { reveal(result.first); result.first.focus(); }
          throw null;
        }
      }
      var body = { library: form.library, params: form.params(), metadata: form.metadataValue() };
      var url = form.contentId ? "/h5p/content/" + encodeURIComponent(form.contentId) : "/h5p/content";
      return request(form.contentId ? "PUT" : "POST", url, body);
    }).then(function (response) {
      var id = (response.data && response.data.contentId) || form.contentId;
      var created = !form.contentId;
      form.contentId = id;
      form.editor.contentId = id;
      form.mode = "edit";
      form.dirty = false;
      if (created && window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "/h5p/editor/" + encodeURIComponent(id));
      }
      form.setStatus("success", t("saved"), [
        { href: "/play/" + encodeURIComponent(id), text: t("play") },
        { href: "/library/" + encodeURIComponent(id), text: t("contentPage") },
        { href: "/library", text: t("backToLibrary") }
      ]);
      form.root.setAttribute("data-content-id", id);
      form.root.setAttribute("data-state", "saved");
      return true;
    }).catch(function (error) {
      form.root.setAttribute("data-state", "invalid");
      if (error === null) { return false; }
      var field = error.details && error.details.field;
      var widget = field !== undefined && field !== null ? form.widgetAt(String(field)) : null;
      if (widget) {
        var reason = error.details.reason || error.message;
        widget.showErrors([reason]);
        reveal(widget);
        widget.focus();
        form.setStatus("error", t("notSavedField", { reason: error.message }));
      } else {
        form.setStatus("error", t("notSaved", { reason: error.message }));
        form.statusBox.focus();
      }
      return false;
    }).then(function (saved) {
      form.saving = false;
      form.saveButton.disabled = false;
      return saved;
    });
  };

  Form.prototype.render = function (library, params, metadata) {
    var form = this;
    this.library = library.uberName;
    var root = this.root;
    root.textContent = "";
    var header = el("div", { className: "ll-editor-header" }, [
      library.icon ? el("img", { src: library.icon, alt: "", className: "ll-type-icon" }) : null,
      el("p", { className: "ll-type-name" }, [library.title || library.uberName, el("span", { className: "ll-version", text: " " + library.uberName })])
    ]);
    this.statusBox = el("div", { className: "ll-status", hidden: true, tabindex: "-1", id: "editor-status" });
    var formElement = el("form", { className: "ll-form", novalidate: true, "aria-label": t("metadata") === "" ? null : (library.title || library.uberName) });
    // Common fields of every library in the form are collected here ("Settings and texts").
    this.commonRoot = el("div", { className: "ll-common-sections" });
    this.metadata = this.metadataForm(metadata, this.mode === "new");
    this.main = this.fieldsBlock(library.semantics || [], params, function () { return ""; }, {
      fresh: this.mode === "new", scope: null, libKey: library.uberName, libTitle: library.title, relPath: ""
    });
    this.saveButton = el("button", { type: "submit", className: "ll-save", text: t("save") });
    formElement.appendChild(this.metadata.element);
    formElement.appendChild(this.main.element);
    formElement.appendChild(this.commonRoot);
    formElement.appendChild(el("p", { className: "ll-save-row" }, [this.saveButton]));
    root.appendChild(header);
    root.appendChild(this.statusBox);
    root.appendChild(formElement);
    formElement.addEventListener("submit", function (event) { event.preventDefault(); form.save(); });
    formElement.addEventListener("input", function () { form.refreshShowWhen(); });
    formElement.addEventListener("change", function () { form.refreshShowWhen(); });
    this.refreshShowWhen();
  };

  // --- pages: picker and form ------------------------------------------------------------------

  function showError(root, message) {
    root.textContent = "";
    root.appendChild(el("p", { className: "ll-status error", role: "alert", text: message }));
    root.setAttribute("data-state", "error");
  }

  function renderPicker(root, api) {
    root.setAttribute("data-state", "loading");
    return api.libraries().then(function (libraries) {
      root.textContent = "";
      var editable = libraries.filter(function (l) { return l.editable !== false; });
      var locked = libraries.filter(function (l) { return l.editable === false; });
      var byTitle = function (a, b) { return String(a.title || a.machineName).localeCompare(String(b.title || b.machineName)); };
      editable.sort(byTitle);
      locked.sort(byTitle);
      var searchId = uid("type-search");
      var search = el("input", { type: "search", id: searchId, className: "ll-input", autocomplete: "off" });
      var list = el("ul", { className: "ll-type-list", id: "type-list" });
      var empty = el("p", { className: "ll-note", hidden: true, text: t("noMatch") });
      editable.forEach(function (library) {
        var href = "/h5p/editor/new?type=" + encodeURIComponent(library.uberName);
        var link = el("a", { href: href, className: "ll-type" }, [
          library.icon ? el("img", { src: library.icon, alt: "", className: "ll-type-icon" }) : el("span", { className: "ll-type-icon ll-no-icon", "aria-hidden": "true", text: (library.title || library.machineName).charAt(0) }),
          el("span", { className: "ll-type-title", text: library.title || library.machineName }),
          el("span", { className: "ll-version", text: library.uberName })
        ]);
        var item = el("li", { "data-title": (library.title || library.machineName).toLowerCase() + " " + library.machineName.toLowerCase() }, [link]);
        list.appendChild(item);
      });
      search.addEventListener("input", function () {
        var query = search.value.trim().toLowerCase();
        var shown = 0;
        Array.prototype.forEach.call(list.children, function (item) {
          var match = !query || item.getAttribute("data-title").indexOf(query) >= 0;
          item.hidden = !match;
          if (match) { shown += 1; }
        });
        empty.hidden = shown > 0;
      });
      var section = el("section", { className: "card", "aria-labelledby": "pick-heading" }, [
        el("h2", { id: "pick-heading", text: t("pickHeading") })
      ]);
      if (editable.length) {
        section.appendChild(el("div", { className: "ll-field" }, [el("label", { "for": searchId, className: "ll-label", text: t("search") }), search]));
        section.appendChild(list);
        section.appendChild(empty);
      } else {
        section.appendChild(el("p", { className: "ll-note", text: t("noTypes") }));
      }
      root.appendChild(section);
      if (locked.length) {
        var lockedList = el("ul", { className: "ll-locked-list", id: "not-editable" });
        locked.forEach(function (library) {
          lockedList.appendChild(el("li", {}, [
            el("strong", { text: library.title || library.machineName }), " ",
            el("span", { className: "ll-version", text: library.uberName }),
            el("p", { className: "ll-note", text: library.notEditableReason || "" })
          ]));
        });
        root.appendChild(el("section", { className: "card", "aria-labelledby": "locked-heading" }, [
          el("h2", { id: "locked-heading", text: t("notEditableHeading") }),
          lockedList,
          el("p", {}, [el("a", { href: "/library#upload-heading", text: t("importLink") })])
        ]));
      }
      root.setAttribute("data-state", "ready");
    });
  }

  function openForm(root, api, options, uberName, params, metadata) {
    root.setAttribute("data-state", "loading");
    var form = new Form(root, { api: api, language: options.language, contentId: options.contentId });
    return Promise.all([api.library(uberName, form.language), api.libraries().catch(function () { return []; })]).then(function (results) {
      var library = results[0];
      var installed = results[1].filter(function (l) { return l.uberName === uberName || l.machineName === library.name; })[0] || {};
      library.uberName = library.uberName || uberName;
      library.icon = installed.icon || null;
      if (library.editable === false) {
        showError(root, t("notEditable", { reason: library.notEditableReason || "" }));
        return null;
      }
      form.render(library, params, metadata);
      return form.settled().then(function () {
        form.refreshShowWhen();
        form.dirty = false;
        window.addEventListener("beforeunload", function (event) {
          if (form.dirty) { event.preventDefault(); event.returnValue = t("unsaved"); return t("unsaved"); }
          return undefined;
        });
        root.setAttribute("data-state", "ready");
        LearnLoopEditor.current = form;
        return form;
      });
    });
  }

  // options: {model (the /h5p/new or /h5p/edit data), contentId, language, type}
  function start(root, options) {
    options = options || {};
    var model = options.model || {};
    var api = new Api(model.integration);
    var language = options.language || model.contentLanguage || "en";
    var settings = { language: language, contentId: options.contentId || null };
    var run;
    if (settings.contentId) {
      run = openForm(root, api, settings, model.library, model.params || {}, model.metadata || {});
    } else if (options.type) {
      run = openForm(root, api, settings, options.type, undefined, {});
    } else {
      run = renderPicker(root, api);
    }
    return run.catch(function (error) {
      showError(root, t("loadFailed", { reason: error && error.message ? error.message : String(error) }));
      return null;
    });
  }

  // The page: fetch the editor model, load the widget scripts and styles it names (after
  // this file), then start.
  function loadAssets(model) {
    var have = {};
    Array.prototype.forEach.call(document.querySelectorAll("script[src], link[rel=stylesheet]"), function (node) {
      have[new URL(node.getAttribute("src") || node.getAttribute("href"), window.location.href).pathname] = true;
    });
    (model.styles || []).forEach(function (href) {
      var path = new URL(href, window.location.href).pathname;
      if (have[path]) { return; }
      have[path] = true;
      document.head.appendChild(el("link", { rel: "stylesheet", href: href }));
    });
    return (model.scripts || []).reduce(function (previous, src) {
      return previous.then(function () {
        var path = new URL(src, window.location.href).pathname;
        if (have[path]) { return null; }
        have[path] = true;
        return new Promise(function (resolve) {
          var script = el("script", { src: src });
          script.async = false;
          script.addEventListener("load", resolve);
          script.addEventListener("error", resolve);
          document.body.appendChild(script);
        });
      });
    }, Promise.resolve());
  }

  function boot(root) {
    var contentId = root.getAttribute("data-content-id") || "";
    var language = root.getAttribute("data-language") || "en";
    var type = new URLSearchParams(window.location.search).get("type") || "";
    var url = contentId ? "/h5p/edit/" + encodeURIComponent(contentId) : "/h5p/new";
    root.setAttribute("data-state", "loading");
    return request("GET", url + "?language=" + encodeURIComponent(language)).then(function (body) {
      var model = body.data || {};
      return loadAssets(model).then(function () {
        return start(root, { model: model, contentId: contentId, language: language, type: type });
      });
    }).catch(function (error) {
      showError(root, t("loadFailed", { reason: error && error.message ? error.message : String(error) }));
    });
  }

  var LearnLoopEditor = {
    registerWidget: function (name, factory) {
      if (typeof name !== "string" || typeof factory !== "function") { throw new TypeError("registerWidget(name, factory)"); }
      registry[name] = factory;
    },
    widgets: registry,
    start: start,
    boot: boot,
    t: t,
    strings: STRINGS,
    licenses: LICENSES,
    current: null,
    // Tests switch client-side validation off to reach the server's checks.
    setClientValidation: function (on) { if (LearnLoopEditor.current) { LearnLoopEditor.current.clientValidation = !!on; } }
  };
  window.LearnLoopEditor = LearnLoopEditor;

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("learnloop-editor");
    if (root && root.hasAttribute("data-autostart")) { boot(root); }
  });
})();
