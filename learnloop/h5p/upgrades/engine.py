"""Running a library's ``upgrades.js`` in an embedded V8 (mini-racer).

The script defines ``H5PUpgrades['<machineName>'] = {major: {minor: hook}}`` where a hook
is ``function (parameters, finished, extras)`` or ``{contentUpgrade: function …}``.
H5P core's ``content-upgrade-process.js`` runs, in version order, every hook newer than
the content's version and not newer than the target, each on the previous one's output;
this does the same. Each run gets a fresh V8 context with a time and memory limit, and
sees only the JSON given to it (no network, no files).
"""

from __future__ import annotations

import json
from typing import Any

from py_mini_racer import MiniRacer

from learnloop.h5p.upgrades.errors import UpgradeFailed

TIMEOUT_MS = 5000
MAX_MEMORY_BYTES = 128 * 1024 * 1024

# A minimal H5P global: the helpers upgrade scripts of the hub's libraries call.
PRELUDE = """
var H5P = {
  createUUID: function () {
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0, v = c === 'x' ? r : (r & 0x3 | 0x8);
      return v.toString(16);
    });
  }
};
var H5PUpgrades = {};
"""

DRIVER = """
(function (machineName, from, to, parameters, extras) {
  var upgrades = H5PUpgrades[machineName];
  if (upgrades === undefined) {
    throw new Error('upgrades.js defines no upgrades for ' + machineName);
  }
  var state = {parameters: parameters, extras: extras};
  for (var major = from[0]; major <= to[0]; major++) {
    if (upgrades[major] === undefined) { continue; }
    var minors = Object.keys(upgrades[major]).map(Number).sort(function (a, b) { return a - b; });
    for (var i = 0; i < minors.length; i++) {
      var minor = minors[i];
      var newer = from[0] < major || (from[0] === major && from[1] < minor);
      var notPastTarget = to[0] > major || (to[0] === major && to[1] >= minor);
      if (!newer || !notPastTarget) { continue; }
      var hook = upgrades[major][minor];
      var run = hook.contentUpgrade !== undefined ? hook.contentUpgrade : hook;
      var done = false;
      run(state.parameters, function (error, upgraded, upgradedExtras) {
        if (error) { throw new Error('upgrade to ' + major + '.' + minor + ': ' + error); }
        state.parameters = upgraded;
        if (upgradedExtras !== undefined) { state.extras = upgradedExtras; }
        done = true;
      }, state.extras);
      if (!done) {
        throw new Error('the upgrade to ' + major + '.' + minor + ' did not finish');
      }
    }
  }
  return JSON.stringify(state);
})
"""


def run_upgrades(
    upgrades_js: str,
    machine_name: str,
    from_version: tuple[int, int],
    to_version: tuple[int, int],
    params: dict[str, Any],
    extras: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(params, extras)`` after every hook between the two versions; UpgradeFailed if
    a hook throws, does not finish or runs too long."""
    context = MiniRacer()
    try:
        context.set_hard_memory_limit(MAX_MEMORY_BYTES)
        context.eval(PRELUDE, timeout=TIMEOUT_MS)
        context.eval(upgrades_js, timeout=TIMEOUT_MS)
        call = (
            f"{DRIVER}({json.dumps(machine_name)}, {json.dumps(list(from_version))}, "
            f"{json.dumps(list(to_version))}, {json.dumps(params)}, {json.dumps(extras)})"
        )
        result = context.eval(call, timeout=TIMEOUT_MS)
    except Exception as exc:
        raise UpgradeFailed(f"The upgrade script of {machine_name} failed: {exc}") from exc
    finally:
        context.close()
    if not isinstance(result, str):
        raise UpgradeFailed(f"The upgrade script of {machine_name} returned no parameters")
    state = json.loads(result)
    upgraded = state.get("parameters")
    new_extras = state.get("extras")
    if not isinstance(upgraded, dict):
        raise UpgradeFailed(f"The upgrade script of {machine_name} returned no parameters")
    return upgraded, new_extras if isinstance(new_extras, dict) else {}
