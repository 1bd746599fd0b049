"""The session cookie the login sets for server-rendered pages."""

TOKEN_COOKIE = "learnloop_token"  # noqa: S105 - a cookie name, not a secret
