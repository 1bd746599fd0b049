/*
 * xAPI capture for the LearnLoop player page.
 *
 * H5P content emits xAPI statements through H5P.externalDispatcher ("xAPI" events:
 * attempted, interacted, answered, completed, progressed, ...). H5P core never sends
 * them anywhere; a host page has to (h5p-completion-tracking: "inject your own xAPI
 * capturing JavaScript"). This forwards each statement, in order, to the LRS endpoint
 * named in window.LearnLoopPlayer. The server replaces the actor with the signed-in
 * learner, so the actor H5P builds from H5PIntegration.user is only a placeholder.
 *
 * Every statement gets its id here, so a retry after a network error cannot store it
 * twice. window.LearnLoopCapture reports what happened (sent, pending, rejected).
 */
(function () {
  'use strict';

  var config = window.LearnLoopPlayer || {};
  var status = { sent: 0, pending: 0, rejected: [], enabled: !!config.xapiCapture };
  window.LearnLoopCapture = status;

  if (!config.xapiCapture || !window.H5P || !window.H5P.externalDispatcher) {
    return;
  }

  var RETRY_DELAYS_MS = [1000, 2000, 5000, 10000, 30000];
  var queue = [];
  var sending = false;
  var retries = 0;

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' +
      hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function headers() {
    var result = { 'Content-Type': 'application/json' };
    if (config.token) {
      result.Authorization = 'Bearer ' + config.token;
    } else if (config.csrf) {
      // Signed in by the session cookie: writes carry its CSRF token.
      result['X-CSRF-Token'] = config.csrf;
    }
    return result;
  }

  function post(batch, keepalive) {
    return window.fetch(config.xapiEndpoint, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(batch),
      credentials: 'same-origin',
      keepalive: !!keepalive
    });
  }

  function flush() {
    if (sending || queue.length === 0) {
      return;
    }
    sending = true;
    var batch = queue.slice(0);
    post(batch, false).then(function (response) {
      if (response.ok) {
        queue.splice(0, batch.length);
        status.sent += batch.length;
        retries = 0;
      } else if (response.status >= 400 && response.status < 500 && response.status !== 401 &&
                 response.status !== 408 && response.status !== 429) {
        // The LRS refused the batch (a statement it cannot store): keep the rest going.
        queue.splice(0, batch.length);
        return response.text().then(function (text) {
          status.rejected.push({ status: response.status, body: text, count: batch.length });
          console.warn('LearnLoop: the LRS rejected xAPI statements', response.status, text);
        });
      } else {
        throw new Error('LRS answered ' + response.status);
      }
    }).catch(function (error) {
      var delay = RETRY_DELAYS_MS[Math.min(retries, RETRY_DELAYS_MS.length - 1)];
      retries += 1;
      console.warn('LearnLoop: xAPI statements not sent yet, retrying', error);
      window.setTimeout(flush, delay);
      return 'retry';
    }).then(function (outcome) {
      sending = false;
      status.pending = queue.length;
      if (outcome !== 'retry') {
        flush();
      }
    });
  }

  window.H5P.externalDispatcher.on('xAPI', function (event) {
    var statement = JSON.parse(JSON.stringify(event.data.statement));
    statement.id = statement.id || uuid();
    statement.timestamp = statement.timestamp || new Date().toISOString();
    queue.push(statement);
    status.pending = queue.length;
    flush();
  });

  // Whatever is still queued when the page goes away is sent with keepalive.
  window.addEventListener('pagehide', function () {
    if (queue.length > 0 && !sending) {
      post(queue.splice(0), true);
    }
  });
})();
