"""H5P content offered as a cmi5 AU: the page an AU launch of a content registration opens.

It is the AU side of cmi5 for H5P content: it redeems the fetch URL, reads
``LMS.LaunchData`` and ``cmi5LearnerPreferences`` (cmi5 11.0.0.0-3), sends
``initialized``, trades the auth token for a play grant (:mod:`learnloop.cmi5.play_grant`,
so no LearnLoop session is needed), shows the content's player page
(``/h5p/embed/{id}?grant=…``, same origin) in a frame, and translates the content's own
xAPI events into cmi5 defined statements: a top-level result with ``completion`` becomes
``completed``; a top-level score or success becomes ``passed`` or ``failed`` (judged
against masteryScore when the AU has one, cmi5 9.5.1). Leaving the page, or the Exit
button, sends ``terminated`` with the session duration.

The page trusts no launch parameter it has not checked (cmi5 8.1): ``endpoint`` must be
this LRS, ``fetch`` this LMS's fetch URL, and ``registration``, ``activityId`` and
``actor`` those of a launch of this content. A page opened with someone else's endpoint
would otherwise read ``LMS.LaunchData`` (and its ``returnURL``) from a server the
attacker runs. The script follows only http(s) return URLs, and the page's
Content-Security-Policy runs only its own nonce'd script (no ``javascript:`` URLs).
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.cmi5.errors import InvalidLaunchParameters
from learnloop.cmi5.models import Cmi5AuStatus, Cmi5Registration
from learnloop.cmi5.registrations import actor_for
from learnloop.xapi.agents import agent_key

LAUNCH_PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")
MAX_PARAMETER_LENGTH = 4096

_SCRIPT = r"""
(function () {
  // The launch parameters as the server checked them (h5p_au_page.checked_launch).
  const params = JSON.parse(document.getElementById("launch").textContent);
  const endpoint = params.endpoint.replace(/\/+$/, "");
  const actor = JSON.parse(params.actor);
  const registration = params.registration;
  const activityId = params.activityId;
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

  // cmi5 10.2.6 returnURL: followed only when it is an http(s) URL (never javascript:).
  const returnTarget = (value) => {
    try {
      const url = new URL(String(value), location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
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
    const target = launchData && launchData.returnURL ? returnTarget(launchData.returnURL) : null;
    if (target) location.href = target;
    else if (launchData && launchData.returnURL) {
      document.getElementById("status").textContent = "The return URL is not an http(s) URL.";
    }
  });

  (async () => {
    try {
      const fetched = await (await fetch(params.fetch, { method: "POST" })).json();
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
      // cmi5 11.0.0.0-3: the AU retrieves its learner preferences before Initialized.
      const preferencesQuery = new URLSearchParams({
        profileId: "cmi5LearnerPreferences", agent: JSON.stringify(actor),
      });
      const preferencesUrl = endpoint + "/agents/profile?" + preferencesQuery;
      const preferences = await fetch(preferencesUrl, { headers });
      state.learnerPreferences = preferences.ok ? await preferences.json() : null;
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
      // The player page plays for this AU session only (cmi5.play_grant): no LearnLoop
      // session is needed, the launch's auth token is the credential.
      const granted = await fetch(params.grantUrl, { method: "POST", headers: headers });
      const grantBody = await granted.json();
      if (!granted.ok) throw new Error("play grant refused: " + JSON.stringify(grantBody));
      frame.src = grantBody.data.embedUrl;
    } catch (error) {
      state.error = String(error);
      document.getElementById("status").textContent = "This content could not start: " + error;
    }
  })();
})();
"""


@dataclass(frozen=True)
class CheckedLaunch:
    endpoint: str
    fetch: str
    actor: str
    registration: str
    activityId: str  # noqa: N815 - the cmi5 parameter name (8.1.3)

    def as_json(self) -> dict[str, str]:
        return {
            "endpoint": self.endpoint,
            "fetch": self.fetch,
            "actor": self.actor,
            "registration": self.registration,
            "activityId": self.activityId,
        }


def _parsed_actor(value: str) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise InvalidLaunchParameters("actor is not JSON (cmi5 8.1.2)") from exc


def checked_launch(
    session: Session, base_url: str, content_id: str, params: dict[str, str]
) -> CheckedLaunch:
    """The launch parameters of an H5P content AU, each checked against the registration
    they name (cmi5 8.1); InvalidLaunchParameters when one is missing or foreign."""
    missing = [name for name in LAUNCH_PARAMETERS if not params.get(name)]
    if missing:
        raise InvalidLaunchParameters(f"Missing launch parameters: {', '.join(missing)}")
    if any("\x00" in value or len(value) > MAX_PARAMETER_LENGTH for value in params.values()):
        raise InvalidLaunchParameters("A launch parameter is too long or holds a NUL byte")
    base = base_url.rstrip("/")
    if params["endpoint"].rstrip("/") != f"{base}/xapi":
        raise InvalidLaunchParameters("endpoint is not this LMS's LRS (cmi5 8.1.1)")
    fetch_prefix = f"{base}/api/cmi5/fetch/"
    token = params["fetch"].removeprefix(fetch_prefix)
    if not params["fetch"].startswith(fetch_prefix) or not token or "/" in token:
        raise InvalidLaunchParameters("fetch is not this LMS's fetch URL (cmi5 8.1.4)")
    registration = session.scalar(
        select(Cmi5Registration).where(
            Cmi5Registration.id == params["registration"].lower(),
            Cmi5Registration.content_id == content_id,
        )
    )
    if registration is None:
        raise InvalidLaunchParameters("registration is not a launch of this content (cmi5 8.1.5)")
    status = session.scalar(
        select(Cmi5AuStatus).where(
            Cmi5AuStatus.registration_id == registration.id,
            Cmi5AuStatus.launch_activity_id == params["activityId"],
        )
    )
    if status is None:
        raise InvalidLaunchParameters("activityId is not the AU of this registration (cmi5 8.1.3)")
    actor = _parsed_actor(params["actor"])
    if not isinstance(actor, dict) or agent_key(actor) != agent_key(actor_for(registration)):
        raise InvalidLaunchParameters("actor is not the learner of this registration (cmi5 8.1.2)")
    return CheckedLaunch(
        endpoint=params["endpoint"],
        fetch=params["fetch"],
        actor=params["actor"],
        registration=registration.id,
        activityId=status.launch_activity_id,
    )


def page_security_headers(nonce: str) -> dict[str, str]:
    """Only the page's own nonce'd script runs; it talks to this server only and frames
    the player page of this server. LMS pages may frame it (launchMethod AnyWindow)."""
    policy = (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        "style-src 'unsafe-inline'; "
        "connect-src 'self'; frame-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors *"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _script_json(value: Any) -> str:
    return orjson.dumps(value).decode().replace("<", "\\u003c").replace(">", "\\u003e")


def h5p_au_page(content_id: str, launch: CheckedLaunch, nonce: str) -> str:
    title = html.escape(content_id)
    script = _SCRIPT.replace("</", "<\\/")
    grant_url = f"/api/cmi5/h5p/{quote(content_id, safe='')}/play-grant"
    page_data = {**launch.as_json(), "grantUrl": grant_url}
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        "<style>body{margin:0;font-family:sans-serif}iframe{border:0;width:100%;"
        "height:calc(100vh - 3rem)}header{height:3rem;display:flex;align-items:center;"
        "gap:1rem;padding:0 1rem}</style></head><body>"
        '<header><button id="exit" type="button">Exit</button>'
        '<span id="status" role="status"></span></header>'
        '<iframe id="player" title="H5P content"></iframe>'
        f'<script type="application/json" id="launch">{_script_json(page_data)}</script>'
        f'<script nonce="{nonce}">{script}</script>'
        "</body></html>"
    )


def h5p_au_error_page(message: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Invalid launch</title>'
        f'</head><body><h1>This launch is not valid</h1><p role="alert">{html.escape(message)}'
        "</p></body></html>"
    )


def new_nonce() -> str:
    return secrets.token_urlsafe(16)
