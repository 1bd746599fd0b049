from __future__ import annotations

from learnloop.errors import BadRequest, Forbidden, NotFound


class NotYourStudent(Forbidden):
    code = "not_your_student"


class NotYourContent(Forbidden):
    code = "not_your_content"


class ClassNotFound(NotFound):
    code = "class_not_found"


class StudentNotFound(NotFound):
    code = "student_not_found"


class InvalidRoster(BadRequest):
    code = "invalid_roster"
