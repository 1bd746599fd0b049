from learnloop.errors import AppError, BadRequest, Conflict, NotFound, Unauthorized


class InvalidToken(Unauthorized):
    code = "invalid_token"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


class UserNotFound(NotFound):
    code = "user_not_found"


class EmailTaken(Conflict):
    code = "email_taken"


class InvalidRole(BadRequest):
    code = "invalid_role"


class TooManySignIns(AppError):
    status_code = 429
    code = "too_many_sign_ins"


class LastActiveAdmin(Conflict):
    code = "last_active_admin"
