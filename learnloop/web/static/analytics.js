/* LearnLoop analytics pages: draws the charts from the page's #chart-data JSON with
   Chart.js (served from node_modules), and handles the login form. No inline scripts:
   the pages' Content-Security-Policy allows only this server's files. */
(function () {
  "use strict";

  var BLUE = "rgba(37, 99, 235, 0.75)";
  var RED = "rgba(220, 38, 38, 0.7)";
  var GREEN = "rgba(22, 163, 74, 0.75)";

  function readData() {
    var node = document.getElementById("chart-data");
    return node ? JSON.parse(node.textContent) : {};
  }

  function bar(canvas, labels, values, options) {
    options = options || {};
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{ label: options.label || "", data: values, backgroundColor: options.color || BLUE }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: options.horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: options.percent
          ? (options.horizontal ? { x: { min: 0, max: 100 } } : { y: { min: 0, max: 100 } })
          : {},
      },
    });
  }

  function pick(rows, key) {
    return (rows || []).map(function (row) { return row[key]; });
  }

  var builders = {
    activity: function (canvas, data) {
      return bar(canvas, pick(data.activity, "date").map(function (d) { return d.slice(5); }),
        pick(data.activity, "activityCount"), { label: "statements" });
    },
    topContent: function (canvas, data) {
      return bar(canvas, pick(data.topContent, "title"), pick(data.topContent, "avgScore"),
        { horizontal: true, percent: true, color: GREEN, label: "average best score" });
    },
    weakestContent: function (canvas, data) {
      return bar(canvas, pick(data.weakestContent, "title"), pick(data.weakestContent, "avgScore"),
        { horizontal: true, percent: true, color: RED, label: "average best score" });
    },
    topics: function (canvas, data) {
      var seen = {};
      var rows = (data.topics || []).filter(function (t) {
        if (seen[t.topic]) { return false; }
        seen[t.topic] = true;
        return true;
      });
      return bar(canvas, pick(rows, "topic"), pick(rows, "avgScore"),
        { percent: true, label: "average best score" });
    },
    questions: function (canvas, data) {
      return bar(canvas, pick(data.questions, "label"), pick(data.questions, "correctRate"),
        { percent: true, color: GREEN, label: "correct %" });
    },
    distribution: function (canvas, data) {
      return bar(canvas, pick(data.distribution, "range"), pick(data.distribution, "students"),
        { label: "students" });
    },
    studentTopics: function (canvas, data) {
      return bar(canvas, pick(data.topics, "topic"), pick(data.topics, "score"),
        { horizontal: true, percent: true, label: "score" });
    },
    myScores: function (canvas, data) {
      return bar(canvas, pick(data.progress, "title"), pick(data.progress, "bestScore"),
        { percent: true, color: GREEN, label: "best score" });
    },
  };

  function drawCharts() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    if (!canvases.length) { return; }
    if (!window.Chart) { throw new Error("Chart.js did not load"); }
    var data = readData();
    window.learnloopCharts = [];
    canvases.forEach(function (canvas) {
      var build = builders[canvas.getAttribute("data-chart")];
      if (build) { window.learnloopCharts.push(build(canvas, data)); }
    });
  }

  // Same rule as the server's safe_next_path: a path on this site only. Browsers drop
  // tabs and newlines from URLs and read "\" as "/", so those refuse the value too.
  function safeNext(value) {
    var local = typeof value === "string" && /^\/(?![\/\\])/.test(value) &&
      !/[\\\u0000-\u001f\u007f]/.test(value);
    return local ? value : "/";
  }

  function setUpLogin() {
    var form = document.getElementById("login-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = document.getElementById("login-error");
      error.hidden = true;
      fetch("/api/auth/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ email: form.email.value, password: form.password.value }),
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok || !body.success) {
            throw new Error(body.error || "Sign-in failed");
          }
          window.location.assign(safeNext(form.getAttribute("data-next")));
        });
      }).catch(function (failure) {
        error.textContent = failure.message;
        error.hidden = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpLogin();
    drawCharts();
  });
})();
