/*
 * SCORM runtime bridge for LearnLoop's SCORM packages of H5P content.
 *
 * The package generator prepends `window.LearnLoopScorm = {version, masteryScore}`.
 * This script runs after H5P core and the content's libraries and before H5P core
 * initialises the content (on DOM ready), so it can hand the content its saved state.
 *
 * - Finds the LMS's API object with ADL's discovery algorithm: this window and its
 *   parents, then the opener and its parents (SCORM 1.2 RTE 3.3.6.1 `API`; SCORM 2004
 *   RTE 3.1.2.1 `API_1484_11`). Without one the content plays and nothing is reported.
 * - Initialises, marks the attempt incomplete, restores H5P's contentUserData from
 *   cmi.suspend_data (the state string of H5P's getCurrentState()).
 * - Maps the content's own (top-level) xAPI results to the data model: score
 *   raw/min/max (and scaled in 2004), completion and success status (1.2:
 *   cmi.core.lesson_status). SCORM 1.2 compares adlcp:masteryscore with score.raw on a
 *   0-100 scale (CAM 1.2 2.3.5.2.2), so 1.2 reports the percentage with min 0 and max
 *   100; SCORM 2004 reports the content's raw score, its range, and scaled = raw/max.
 * - Commits after each result, a while after interactions, and when the page is hidden;
 *   on unload it saves the state, sets session_time and exit "suspend", commits and
 *   finishes (LMSFinish / Terminate).
 *
 * window.LearnLoopScormBridge reports what it found and did (for diagnostics and tests).
 */
(function () {
  'use strict';

  var config = window.LearnLoopScorm || {};
  var is2004 = config.version === '2004';
  var API_NAME = is2004 ? 'API_1484_11' : 'API';
  // ADL's sample discovery gives up after this many parent hops.
  var MAX_PARENT_HOPS = 500;
  var INTERACTION_COMMIT_DELAY_MS = 10000;
  // cmi.suspend_data is a CMIString4096 in SCORM 1.2 (RTE 3.4.4) and holds at least
  // 64000 characters in SCORM 2004 4th Edition (RTE 4.2.23).
  var SUSPEND_DATA_LIMIT = is2004 ? 64000 : 4096;
  var SUBCONTENT_EXTENSION = 'http://h5p.org/x-api/h5p-subContentId';

  var ELEMENTS = is2004 ? {
    scoreRaw: 'cmi.score.raw',
    scoreMin: 'cmi.score.min',
    scoreMax: 'cmi.score.max',
    scoreScaled: 'cmi.score.scaled',
    completion: 'cmi.completion_status',
    success: 'cmi.success_status',
    sessionTime: 'cmi.session_time',
    suspendData: 'cmi.suspend_data',
    exit: 'cmi.exit',
    mastery: 'cmi.scaled_passing_score'
  } : {
    scoreRaw: 'cmi.core.score.raw',
    scoreMin: 'cmi.core.score.min',
    scoreMax: 'cmi.core.score.max',
    lessonStatus: 'cmi.core.lesson_status',
    sessionTime: 'cmi.core.session_time',
    suspendData: 'cmi.suspend_data',
    exit: 'cmi.core.exit',
    mastery: 'cmi.student_data.mastery_score'
  };

  var report = {
    version: is2004 ? '2004' : '1.2',
    apiFound: false,
    initialized: false,
    finished: false,
    resumed: false,
    commits: 0,
    errors: []
  };
  window.LearnLoopScormBridge = report;

  function searchUp(win) {
    var hops = 0;
    while (win) {
      try {
        if (win[API_NAME]) {
          return win[API_NAME];
        }
      } catch (error) {
        return null; // a cross-origin frame: the API cannot be there for us
      }
      if (!win.parent || win.parent === win || hops >= MAX_PARENT_HOPS) {
        return null;
      }
      hops += 1;
      win = win.parent;
    }
    return null;
  }

  function discoverApi() {
    var api = searchUp(window);
    if (!api) {
      try {
        if (window.top && window.top.opener) {
          api = searchUp(window.top.opener);
        }
      } catch (error) {
        api = null;
      }
    }
    if (!api && window.opener) {
      api = searchUp(window.opener);
    }
    return api;
  }

  function adapter(api) {
    if (is2004) {
      return {
        initialize: function () { return api.Initialize(''); },
        get: function (element) { return api.GetValue(element); },
        set: function (element, value) { return api.SetValue(element, value); },
        commit: function () { return api.Commit(''); },
        finish: function () { return api.Terminate(''); },
        lastError: function () { return String(api.GetLastError()); }
      };
    }
    return {
      initialize: function () { return api.LMSInitialize(''); },
      get: function (element) { return api.LMSGetValue(element); },
      set: function (element, value) { return api.LMSSetValue(element, value); },
      commit: function () { return api.LMSCommit(''); },
      finish: function () { return api.LMSFinish(''); },
      lastError: function () { return String(api.LMSGetLastError()); }
    };
  }

  function succeeded(value) {
    return value === true || value === 'true';
  }

  var api = discoverApi();
  report.apiFound = !!api;
  var lms = api ? adapter(api) : null;
  var active = false;
  var startedAt = Date.now();
  var commitTimer = null;

  function setValue(element, value) {
    if (!active) {
      return false;
    }
    var ok = succeeded(lms.set(element, String(value)));
    if (!ok) {
      report.errors.push({ element: element, code: lms.lastError() });
    }
    return ok;
  }

  function getValue(element) {
    var value = lms.get(element);
    return value === null || value === undefined ? '' : String(value);
  }

  function commit() {
    if (!active) {
      return;
    }
    if (commitTimer !== null) {
      clearTimeout(commitTimer);
      commitTimer = null;
    }
    if (succeeded(lms.commit())) {
      report.commits += 1;
    } else {
      report.errors.push({ element: 'commit', code: lms.lastError() });
    }
  }

  function commitSoon() {
    if (active && commitTimer === null) {
      commitTimer = setTimeout(function () {
        commitTimer = null;
        saveState();
        commit();
      }, INTERACTION_COMMIT_DELAY_MS);
    }
  }

  function contentId() {
    var contents = (window.H5PIntegration && window.H5PIntegration.contents) || {};
    var key = Object.keys(contents)[0];
    return key ? key.replace(/^cid-/, '') : null;
  }

  function restoreState() {
    var saved = getValue(ELEMENTS.suspendData);
    var id = contentId();
    if (!saved || id === null) {
      return;
    }
    try {
      JSON.parse(saved); // H5P's state is JSON; anything else was not written by us
    } catch (error) {
      return;
    }
    var content = window.H5PIntegration.contents['cid-' + id];
    content.contentUserData = { 0: { state: saved } };
    report.resumed = true;
  }

  function saveState() {
    if (!active || !window.H5P || !window.H5P.instances) {
      return;
    }
    var instance = window.H5P.instances[0];
    if (!instance || typeof instance.getCurrentState !== 'function') {
      return;
    }
    var state;
    try {
      state = instance.getCurrentState();
    } catch (error) {
      report.errors.push({ element: 'getCurrentState', code: String(error) });
      return;
    }
    if (state === undefined || state === null) {
      return;
    }
    var text = typeof state === 'string' ? state : JSON.stringify(state);
    if (text.length > SUSPEND_DATA_LIMIT) {
      // Too long for the data model: the last state that fitted stays, and the LMS is
      // not asked to store what it must refuse.
      report.errors.push({ element: ELEMENTS.suspendData, code: 'too-long', length: text.length });
      return;
    }
    setValue(ELEMENTS.suspendData, text);
  }

  function masteryFraction() {
    var fromLms = parseFloat(getValue(ELEMENTS.mastery));
    if (!isNaN(fromLms)) {
      return is2004 ? fromLms : fromLms / 100;
    }
    if (typeof config.masteryScore === 'number') {
      return config.masteryScore / 100;
    }
    return null;
  }

  function round(value, places) {
    var factor = Math.pow(10, places);
    return Math.round(value * factor) / factor;
  }

  function recordResult(result) {
    var score = result.score;
    var hasScore = score && typeof score.raw === 'number' && typeof score.max === 'number' &&
      score.max > 0;
    var success = typeof result.success === 'boolean' ? result.success : null;
    if (hasScore) {
      var raw = Math.max(0, Math.min(score.raw, score.max));
      var scaled = raw / score.max;
      if (is2004) {
        setValue(ELEMENTS.scoreMin, typeof score.min === 'number' ? score.min : 0);
        setValue(ELEMENTS.scoreMax, score.max);
        setValue(ELEMENTS.scoreRaw, raw);
        setValue(ELEMENTS.scoreScaled, round(scaled, 7));
      } else {
        setValue(ELEMENTS.scoreMin, 0);
        setValue(ELEMENTS.scoreMax, 100);
        setValue(ELEMENTS.scoreRaw, round(scaled * 100, 2));
      }
      var mastery = masteryFraction();
      if (mastery !== null) {
        success = scaled >= mastery;
      }
    }
    if (is2004) {
      setValue(ELEMENTS.completion, 'completed');
      if (success !== null) {
        setValue(ELEMENTS.success, success ? 'passed' : 'failed');
      }
    } else {
      setValue(ELEMENTS.lessonStatus, success === null ? 'completed' : (success ? 'passed' : 'failed'));
    }
  }

  function isTopLevel(statement) {
    var object = statement.object || {};
    var extensions = (object.definition && object.definition.extensions) || {};
    if (extensions[SUBCONTENT_EXTENSION]) {
      return false;
    }
    var context = statement.context || {};
    var parents = context.contextActivities && context.contextActivities.parent;
    return !(parents && parents.length);
  }

  function onXapi(event) {
    var statement = event && event.data && event.data.statement;
    if (!active || !statement || !statement.verb) {
      return;
    }
    var verb = String(statement.verb.id || '').split('/').pop();
    var result = statement.result;
    if (isTopLevel(statement) && result &&
        (verb === 'answered' || verb === 'completed' || result.completion === true)) {
      recordResult(result);
      saveState();
      commit();
      return;
    }
    commitSoon();
  }

  function sessionTime(milliseconds) {
    var centiseconds = Math.floor(milliseconds / 10);
    var hours = Math.floor(centiseconds / 360000);
    var minutes = Math.floor((centiseconds % 360000) / 6000);
    var seconds = (centiseconds % 6000) / 100;
    if (is2004) {
      return 'PT' + hours + 'H' + minutes + 'M' + seconds.toFixed(2) + 'S';
    }
    // CMITimespan: HHHH:MM:SS.SS
    var pad = function (value, width) {
      var text = String(value);
      while (text.length < width) {
        text = '0' + text;
      }
      return text;
    };
    return pad(Math.min(hours, 9999), 2) + ':' + pad(minutes, 2) + ':' +
      pad(Math.floor(seconds), 2) + '.' + pad(centiseconds % 100, 2);
  }

  function finish() {
    if (!active || report.finished) {
      return;
    }
    saveState();
    setValue(ELEMENTS.sessionTime, sessionTime(Date.now() - startedAt));
    // Suspended attempts keep suspend_data, so the next launch resumes the answers.
    setValue(ELEMENTS.exit, 'suspend');
    commit();
    report.finished = succeeded(lms.finish());
    active = false;
  }

  if (lms) {
    active = succeeded(lms.initialize());
    report.initialized = active;
    if (!active) {
      report.errors.push({ element: 'initialize', code: lms.lastError() });
    }
  }

  if (active) {
    if (is2004) {
      // A resumed attempt keeps what it reached; a new one is under way.
      if (getValue(ELEMENTS.completion) !== 'completed') {
        setValue(ELEMENTS.completion, 'incomplete');
      }
    } else {
      var status = getValue(ELEMENTS.lessonStatus);
      if (status === '' || status === 'not attempted') {
        setValue(ELEMENTS.lessonStatus, 'incomplete');
      }
    }
    restoreState();
    commit();
  }

  if (window.H5P && window.H5P.externalDispatcher) {
    window.H5P.externalDispatcher.on('xAPI', onXapi);
  }
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden' && active) {
      saveState();
      commit();
    }
  });
  window.addEventListener('pagehide', finish);
  window.addEventListener('beforeunload', finish);
  window.addEventListener('unload', finish);

  report.finish = finish;
})();
