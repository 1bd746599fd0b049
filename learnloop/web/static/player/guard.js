/* LearnLoop player guard: when H5P content cannot start (a library file failed to load,
   a constructor is missing, a script threw while building the content), the learner
   sees a clear message instead of a blank page. Loaded before H5P core so that it also
   sees errors thrown while the libraries load. */
(function () {
  "use strict";

  var failures = [];
  var shown = false;

  function describe(event) {
    if (event && event.target && event.target !== window && (event.target.src || event.target.href)) {
      return "could not load " + (event.target.src || event.target.href).split("?")[0].split("/").slice(-2).join("/");
    }
    var message = event && (event.message || (event.error && event.error.message) || event.reason);
    return message ? String(message) : "a script failed";
  }

  function started() {
    var container = document.querySelector(".h5p-content.h5p-initialized .h5p-container");
    return !!container && container.children.length > 0;
  }

  function show() {
    if (shown || started()) { return; }
    shown = true;
    var box = document.createElement("div");
    box.className = "learnloop-player-error";
    box.setAttribute("role", "alert");
    var heading = document.createElement("p");
    heading.className = "learnloop-player-error-title";
    heading.textContent = "This content could not be started.";
    var detail = document.createElement("p");
    detail.textContent = "One of its H5P libraries failed to load. Try reloading the page; " +
      "if it keeps happening, tell your teacher or the administrator" +
      (failures.length ? " (" + failures[0] + ")." : ".");
    box.appendChild(heading);
    box.appendChild(detail);
    var content = document.querySelector(".h5p-content");
    (content && content.parentNode ? content.parentNode : document.body).insertBefore(box, content);
    window.LearnLoopPlayerFailure = failures.slice();
  }

  // Capture phase: resource errors (a library's script or style) do not bubble.
  window.addEventListener("error", function (event) {
    failures.push(describe(event));
    if (document.readyState === "complete") { window.setTimeout(show, 0); }
  }, true);
  window.addEventListener("unhandledrejection", function (event) { failures.push(describe(event)); });
  window.addEventListener("load", function () {
    // H5P core initialises on DOM ready; give it a moment after load to build the content.
    window.setTimeout(function () {
      if (!started()) { show(); }
    }, failures.length ? 0 : 3000);
  });
}());
