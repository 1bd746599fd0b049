"""The IRIs cmi5 defines (cmi5 "Quartz" 9.3 verbs, 9.6 context, 9.5 result extensions)."""

from __future__ import annotations

from typing import Final

VERB_LAUNCHED: Final = "http://adlnet.gov/expapi/verbs/launched"
VERB_INITIALIZED: Final = "http://adlnet.gov/expapi/verbs/initialized"
VERB_COMPLETED: Final = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED: Final = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED: Final = "http://adlnet.gov/expapi/verbs/failed"
VERB_ABANDONED: Final = "https://w3id.org/xapi/adl/verbs/abandoned"
VERB_WAIVED: Final = "https://w3id.org/xapi/adl/verbs/waived"
VERB_TERMINATED: Final = "http://adlnet.gov/expapi/verbs/terminated"
VERB_SATISFIED: Final = "https://w3id.org/xapi/adl/verbs/satisfied"

VERB_DISPLAY: Final = {
    VERB_LAUNCHED: "Launched",
    VERB_INITIALIZED: "Initialized",
    VERB_COMPLETED: "Completed",
    VERB_PASSED: "Passed",
    VERB_FAILED: "Failed",
    VERB_ABANDONED: "Abandoned",
    VERB_WAIVED: "Waived",
    VERB_TERMINATED: "Terminated",
    VERB_SATISFIED: "Satisfied",
}

# Verbs only the LMS records (cmi5 9.3.1, 9.3.6, 9.3.7, 9.3.9).
LMS_VERBS: Final = frozenset({VERB_LAUNCHED, VERB_ABANDONED, VERB_WAIVED, VERB_SATISFIED})
AU_VERBS: Final = frozenset(
    {VERB_INITIALIZED, VERB_COMPLETED, VERB_PASSED, VERB_FAILED, VERB_TERMINATED}
)

CATEGORY_CMI5: Final = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVE_ON: Final = "https://w3id.org/xapi/cmi5/context/categories/moveon"

EXT_SESSION_ID: Final = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
EXT_MASTERY_SCORE: Final = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
EXT_LAUNCH_MODE: Final = "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
EXT_LAUNCH_URL: Final = "https://w3id.org/xapi/cmi5/context/extensions/launchurl"
EXT_MOVE_ON: Final = "https://w3id.org/xapi/cmi5/context/extensions/moveon"
EXT_LAUNCH_PARAMETERS: Final = "https://w3id.org/xapi/cmi5/context/extensions/launchparameters"
EXT_REASON: Final = "https://w3id.org/xapi/cmi5/result/extensions/reason"

LAUNCH_DATA_STATE_ID: Final = "LMS.LaunchData"
LEARNER_PREFERENCES_PROFILE_ID: Final = "cmi5LearnerPreferences"

MOVE_ON_VALUES: Final = (
    "Passed",
    "Completed",
    "CompletedAndPassed",
    "CompletedOrPassed",
    "NotApplicable",
)
LAUNCH_MODES: Final = ("Normal", "Browse", "Review")
WAIVE_REASONS: Final = (
    "Tested Out",
    "Equivalent AU",
    "Equivalent Outside Activity",
    "Administrative",
)

# cmi5 9.3.9.0-2 / 9.3.9.0-6: the object definition type of Satisfied statements.
ACTIVITY_TYPE_BLOCK: Final = "https://w3id.org/xapi/cmi5/activitytype/block"
ACTIVITY_TYPE_COURSE: Final = "https://w3id.org/xapi/cmi5/activitytype/course"
