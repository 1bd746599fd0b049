"""cmi5 errors: each names the rule that was broken."""

from __future__ import annotations

from learnloop.errors import BadRequest, Forbidden, NotFound


class InvalidCoursePackage(BadRequest):
    code = "invalid_cmi5_course"


class CourseNotFound(NotFound):
    code = "cmi5_course_not_found"


class RegistrationNotFound(NotFound):
    code = "cmi5_registration_not_found"


class AuNotFound(NotFound):
    code = "cmi5_au_not_found"


class RegistrationForbidden(Forbidden):
    code = "cmi5_registration_forbidden"


class InvalidLaunchParameters(BadRequest):
    """An AU page opened with launch parameters that are not those of a launch (cmi5 8.1)."""

    code = "cmi5_invalid_launch"


class StatementRuleViolation(Forbidden):
    """An AU statement breaks a cmi5 statement rule (cmi5 9.x): refused with 403."""

    code = "cmi5_statement_rule"
