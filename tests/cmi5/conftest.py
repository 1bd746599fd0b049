from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from learnloop.xapi.models import StatementRow
from tests.cmi5.course_files import Au, Block, course_xml
from tests.conftest import Account

AU1 = "https://example.test/aus/1"
AU2 = "https://example.test/aus/2"
AU3 = "https://example.test/aus/3"
BLOCK = "https://example.test/blocks/b1"


def import_xml(client: TestClient, account: Account, xml: bytes) -> dict[str, Any]:
    response = client.post(
        "/api/cmi5/courses",
        headers=account.headers,
        files={"file": ("cmi5.xml", xml, "application/xml")},
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def two_au_course() -> bytes:
    """A block with two AUs (Passed with masteryScore 0.8, Completed) and one AU outside."""
    return course_xml(
        [
            Block(
                BLOCK,
                [
                    Au(
                        AU1,
                        "https://aus.example.test/one?lang=en",
                        move_on="Passed",
                        mastery_score="0.8",
                    ),
                    Au(AU2, "https://aus.example.test/two", move_on="Completed"),
                ],
            ),
            Au(AU3, "https://aus.example.test/three", move_on="NotApplicable"),
        ]
    )


@dataclass
class Launched:
    registration_id: str
    url: str
    params: dict[str, str]
    session_id: str

    @property
    def fetch_path(self) -> str:
        return urlsplit(self.params["fetch"]).path


def register(
    client: TestClient, account: Account, course_id: str, learner: Account
) -> dict[str, Any]:
    response = client.post(
        "/api/cmi5/register",
        headers=account.headers,
        json={"courseId": course_id, "learnerId": learner.id},
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def launch(
    client: TestClient, account: Account, registration_id: str, au: str | None = None
) -> Launched:
    params = {"auId": au} if au else {}
    response = client.get(
        f"/api/cmi5/launch/{registration_id}", headers=account.headers, params=params
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(data["launchUrl"]).query).items()}
    return Launched(registration_id, data["launchUrl"], query, data["sessionId"])


def statements_with_verb(session: Session, verb: str, registration: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(StatementRow)
        .where(StatementRow.verb_id == verb, StatementRow.registration == registration)
        .order_by(StatementRow.seq)
    )
    return [row.statement for row in rows]


@pytest.fixture
def course(client: TestClient, teacher: Account) -> dict[str, Any]:
    return import_xml(client, teacher, two_au_course())
