"""Helpers for the web app's page tests: a cookie-authenticated TestClient session, as
a browser has after signing in, and the CSRF token its pages embed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from learnloop.auth.csrf import csrf_token
from learnloop.config import Settings
from tests.conftest import Account


@dataclass
class Browserish:
    """A client signed in by cookie (no Authorization header), like a browser."""

    client: TestClient
    account: Account
    csrf: str

    def get(self, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
        self.client.cookies.set("learnloop_token", self.account.token)
        return self.client.get(path, follow_redirects=False, **kwargs)  # type: ignore[arg-type]

    def post(
        self,
        path: str,
        data: dict[str, object] | None = None,
        *,
        csrf: bool = True,
        **kwargs: object,
    ):  # type: ignore[no-untyped-def]
        self.client.cookies.set("learnloop_token", self.account.token)
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        return self.client.post(path, data=form, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def signed_in(client: TestClient, settings: Settings):  # type: ignore[no-untyped-def]
    def make(account: Account) -> Browserish:
        return Browserish(client, account, csrf_token(settings, account.id, account.token))

    return make
