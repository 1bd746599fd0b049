/*
 * Include this on a page that embeds LearnLoop's H5P player in an iframe: it keeps the
 * iframe as tall as its content, using H5P core's embed protocol (window.postMessage with
 * context "h5p": the player says "hello", asks "prepareResize", then sends "resize" with
 * its scrollHeight).
 */
(function () {
  'use strict';

  if (!window.postMessage || !window.addEventListener || window.learnLoopH5PResizer) {
    return;
  }
  window.learnLoopH5PResizer = true;

  var actions = {};

  function frameFor(source) {
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === source) {
        return frames[i];
      }
    }
    return null;
  }

  function reply(frame, action, data) {
    var message = data || {};
    message.context = 'h5p';
    message.action = action;
    frame.contentWindow.postMessage(message, '*');
  }

  actions.hello = function (frame) {
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.setAttribute('scrolling', 'no');
    reply(frame, 'hello');
  };

  actions.prepareResize = function (frame, data) {
    // Let the frame shrink before it measures itself, when it is taller than needed.
    if (frame.clientHeight !== data.scrollHeight || data.scrollHeight !== data.clientHeight) {
      frame.style.height = data.clientHeight + 'px';
    }
    reply(frame, 'resizePrepared');
  };

  actions.resize = function (frame, data) {
    frame.style.height = data.scrollHeight + 'px';
  };

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || data.context !== 'h5p' || !actions.hasOwnProperty(data.action)) {
      return;
    }
    var frame = frameFor(event.source);
    if (frame) {
      actions[data.action](frame, data);
    }
  }, false);

  // Players that loaded before this script wait for "ready" to say hello.
  var frames = document.getElementsByTagName('iframe');
  for (var i = 0; i < frames.length; i++) {
    if (frames[i].contentWindow) {
      frames[i].contentWindow.postMessage({ context: 'h5p', action: 'ready' }, '*');
    }
  }
})();
