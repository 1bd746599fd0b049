from learnloop.errors import BadRequest, Conflict, NotFound, Unauthorized


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
