"""Fixtures of the LRS tests: LRS client credentials and request helpers."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from learnloop.xapi.credentials import create_client

VERSION = {"X-Experience-API-Version": "1.0.3"}


@dataclass
class LrsCredentials:
    key: str
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {token}", **VERSION}


MakeCredentials = Callable[..., LrsCredentials]


@pytest.fixture
def make_credentials(session: Session) -> MakeCredentials:
    def make(*scopes: str, name: str = "test client") -> LrsCredentials:
        issued = create_client(session, name=name, scopes=scopes or ("all",))
        session.commit()
        return LrsCredentials(issued.client.key, issued.secret)

    return make


@pytest.fixture
def lrs(make_credentials: MakeCredentials) -> LrsCredentials:
    """Credentials with the ``all`` scope."""
    return make_credentials("all")


def agent(name: str = "learner") -> dict[str, Any]:
    return {"objectType": "Agent", "mbox": f"mailto:{name}@example.com", "name": name}


def statement(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "actor": agent(),
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed"},
        },
        "object": {
            "objectType": "Activity",
            "id": "http://example.com/activities/quiz",
            "definition": {"name": {"en-US": "Quiz"}},
        },
    }
    base.update(overrides)
    return base
