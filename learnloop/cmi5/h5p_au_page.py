"""H5P content offered as a cmi5 AU: the page an AU launch of a content registration opens.

It is the AU side of cmi5 for H5P content: it redeems the fetch URL, reads
``LMS.LaunchData``, sends ``initialized``, shows the content's player page
(``/h5p/embed/{id}``, same origin) in a frame, and translates the content's own xAPI
events into cmi5 defined statements: a top-level result with ``completion`` becomes
``completed``; a top-level score or success becomes ``passed`` or ``failed`` (judged
against masteryScore when the AU has one, cmi5 9.5.1). Leaving the page, or the Exit
button, sends ``terminated`` with the session duration.
"""

from __future__ import annotations

import html

import orjson

_SCRIPT = r"""
(function () {
  const params = new URLSearchParams(location.search);
  const endpoint = (params.get("endpoint") || "").replace(/\/+$/, "");
  const actor = JSON.parse(params.get("actor") || "null");
  const registration = params.get("registration");
  const activityId = params.get("activityId");
  const CMI5 = { id: "https://w3id.org/xapi/cmi5/context/categories/cmi5" };
  const MOVEON = { id: "https://w3id.org/xapi/cmi5/context/categories/moveon" };
  const MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  const state = { started: null, completed: false, judged: false, terminated: false, log: [] };
  window.cmi5H5P = state;
  let headers = null;
  let launchData = null;

  const duration = () => {
    const seconds = Math.max(0, (Date.now() - state.started) / 1000);
    return "PT" + seconds.toFixed(2) + "S";
  };
  const statement = (verb, result, categories, extensions) => {
    const template = launchData.contextTemplate || {};
    const context = {
      registration: registration,
      contextActivities: Object.assign(
        {}, template.contextActivities || {}, { category: categories }),
      extensions: Object.assign({}, template.extensions || {}, extensions || {}),
    };
    const s = {
      id: crypto.randomUUID(),
      actor: actor,
      verb: { id: verb },
      object: { id: activityId, objectType: "Activity" },
      context: context,
      timestamp: new Date().toISOString(),
    };
    if (result) s.result = result;
    return s;
  };
  const send = async (s, keepalive) => {
    const response = await fetch(endpoint + "/statements", {
      method: "POST", headers: headers, body: JSON.stringify(s), keepalive: !!keepalive,
    });
    state.log.push({ verb: s.verb.id, status: response.status });
    if (!response.ok) {
      throw new Error("LRS answered " + response.status + ": " + (await response.text()));
    }
  };

  const onH5PStatement = async (event) => {
    const s = event.data.statement;
    const parent = s.context && s.context.contextActivities && s.context.contextActivities.parent;
    if (parent || !s.result || state.terminated || launchData.launchMode !== "Normal") return;
    const result = s.result;
    if (result.completion === true && !state.completed) {
      state.completed = true;
      await send(statement("http://adlnet.gov/expapi/verbs/completed",
        { completion: true, duration: duration() }, [CMI5, MOVEON]));
    }
    let scaled = null;
    if (result.score) {
      if (typeof result.score.scaled === "number") scaled = result.score.scaled;
      else if (typeof result.score.raw === "number" && result.score.max > 0) {
        scaled = result.score.raw / result.score.max;
      }
    }
    if (state.judged || (scaled === null && typeof result.success !== "boolean")) return;
    const mastery = typeof launchData.masteryScore === "number" ? launchData.masteryScore : null;
    const success =
      mastery !== null && scaled !== null ? scaled >= mastery : result.success === true;
    const judged = { success: success, duration: duration() };
    if (scaled !== null) judged.score = { scaled: Math.max(0, Math.min(1, scaled)) };
    const extensions = mastery !== null ? { [MASTERY]: mastery } : {};
    if (success) state.judged = true;
    await send(statement("http://adlnet.gov/expapi/verbs/" + (success ? "passed" : "failed"),
      judged, [CMI5, MOVEON], extensions));
  };

  const terminate = async () => {
    if (state.terminated || !state.started) return;
    state.terminated = true;
    await send(statement("http://adlnet.gov/expapi/verbs/terminated",
      { duration: duration() }, [CMI5]), true);
  };
  window.addEventListener("pagehide", () => { terminate(); });
  document.getElementById("exit").addEventListener("click", async () => {
    await terminate();
    if (launchData && launchData.returnURL) location.href = launchData.returnURL;
  });

  (async () => {
    try {
      const fetched = await (await fetch(params.get("fetch"), { method: "POST" })).json();
      if (!fetched["auth-token"]) throw new Error("fetch URL refused: " + JSON.stringify(fetched));
      headers = {
        Authorization: "Basic " + fetched["auth-token"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
      };
      const query = new URLSearchParams({
        stateId: "LMS.LaunchData", activityId: activityId,
        agent: JSON.stringify(actor), registration: registration,
      });
      const stateResponse = await fetch(endpoint + "/activities/state?" + query, { headers });
      launchData = await stateResponse.json();
      state.launchData = launchData;
      state.started = Date.now();
      await send(statement("http://adlnet.gov/expapi/verbs/initialized", null, [CMI5]));
      const frame = document.getElementById("player");
      frame.addEventListener("load", () => {
        const waitForH5P = () => {
          const H5P = frame.contentWindow && frame.contentWindow.H5P;
          if (H5P && H5P.externalDispatcher) {
            H5P.externalDispatcher.on("xAPI", (event) => {
              onH5PStatement(event).catch((error) => { state.error = String(error); });
            });
            state.ready = true;
          } else {
            setTimeout(waitForH5P, 50);
          }
        };
        waitForH5P();
      });
      frame.src = frame.dataset.src;
    } catch (error) {
      state.error = String(error);
      document.getElementById("status").textContent = "This content could not start: " + error;
    }
  })();
})();
"""


def h5p_au_page(content_id: str) -> str:
    embed = html.escape(f"/h5p/embed/{content_id}")
    title = html.escape(content_id)
    script = _SCRIPT.replace("</", "<\\/")
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        "<style>body{margin:0;font-family:sans-serif}iframe{border:0;width:100%;"
        "height:calc(100vh - 3rem)}header{height:3rem;display:flex;align-items:center;"
        "gap:1rem;padding:0 1rem}</style></head><body>"
        '<header><button id="exit" type="button">Exit</button>'
        '<span id="status" role="status"></span></header>'
        f'<iframe id="player" title="H5P content" data-src="{embed}"></iframe>'
        f"<script>{script}</script>"
        f'<script type="application/json" id="content">{orjson.dumps(content_id).decode()}'
        "</script></body></html>"
    )
