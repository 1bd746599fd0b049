/* LearnLoop web app behaviour; every page works without it except the progress of
   uploads. No inline scripts: the pages' Content-Security-Policy allows only this
   server's files. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function text(tag, className, value) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    node.textContent = value;
    return node;
  }

  // The people-facing reason of a refused import: the package problems' messages (the
  // API also sends their ids for programs, which mean nothing to a teacher).
  function failureReason(body, status) {
    if (Array.isArray(body.errors) && body.errors.length) {
      return body.errors.map(function (problem) {
        return problem && problem.message ? problem.message : "";
      }).filter(Boolean).join("; ");
    }
    return body.error || body.message || ("HTTP " + status);
  }

  // After uploads the "Your content" section is fetched again and swapped in, so new
  // items appear without a reload; the link stays as the way back if that fails.
  function refreshLibraryList() {
    var section = document.getElementById("library-section");
    if (!section || !window.fetch || !window.DOMParser) { return Promise.resolve(false); }
    return fetch("/library", { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("library-section");
        if (!fresh) { return false; }
        section.innerHTML = fresh.innerHTML;
        if (window.htmx) { window.htmx.process(section); }
        return true;
      })
      .catch(function () { return false; });
  }

  // Upload: one request per file to the import API, each with its own progress bar and
  // its own result, so one bad package does not hide what happened to the others.
  function uploadOne(url, file, list) {
    return new Promise(function (resolve) {
      var item = document.createElement("li");
      var label = text("span", "", file.name + ": uploading");
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Upload progress of " + file.name);
      item.appendChild(label);
      item.appendChild(bar);
      list.appendChild(item);
      var request = new XMLHttpRequest();
      request.open("POST", url);
      request.setRequestHeader("X-CSRF-Token", csrfToken());
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { bar.value = Math.round((event.loaded * 100) / event.total); }
      });
      request.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(request.responseText); } catch (ignored) { body = {}; }
        bar.value = 100;
        if (request.status >= 200 && request.status < 300) {
          item.className = "done";
          label.textContent = file.name + ": imported";
          var contentId = body.data && body.data.contentId;
          if (contentId) {
            var link = document.createElement("a");
            link.href = "/library/" + encodeURIComponent(contentId);
            link.textContent = " Open";
            item.appendChild(link);
          }
          resolve(true);
        } else {
          item.className = "failed";
          label.textContent = file.name + ": not imported: " + failureReason(body, request.status);
          resolve(false);
        }
      });
      request.addEventListener("error", function () {
        item.className = "failed";
        label.textContent = file.name + ": not imported: the connection failed";
        resolve(false);
      });
      var form = new FormData();
      form.append("h5p", file, file.name);
      request.send(form);
    });
  }

  function setUpUpload() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(form.querySelector('input[type="file"]').files);
      var list = document.getElementById("upload-results");
      var button = form.querySelector('button[type="submit"]');
      list.textContent = "";
      button.disabled = true;
      var url = form.getAttribute("data-import-url");
      files.reduce(function (previous, file) {
        return previous.then(function () { return uploadOne(url, file, list); });
      }, Promise.resolve(false)).then(function () {
        return refreshLibraryList();
      }).then(function (refreshed) {
        button.disabled = false;
        form.reset();
        var done = document.getElementById("upload-done");
        done.querySelector(".refreshed").hidden = !refreshed;
        done.querySelector(".not-refreshed").hidden = refreshed;
        done.hidden = false;
      });
    });
  }

  function setUpCopyButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
      button.addEventListener("click", function () {
        var field = document.getElementById(button.getAttribute("data-copy"));
        var status = document.querySelector(".copy-status");
        field.select();
        var done = function () { if (status) { status.textContent = "Copied."; } };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            if (status) { status.textContent = "Select the text and copy it with Ctrl+C."; }
          });
        } else {
          document.execCommand("copy");
          done();
        }
      });
    });
  }

  setUpUpload();
  setUpCopyButtons();
}());
