import base64
import threading
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learnloop.cmi5.au_auth import authenticate_basic
from learnloop.cmi5.fetch import hash_token, redeem_fetch_token
from learnloop.cmi5.models import Cmi5FetchToken
from learnloop.db import Database, utcnow
from tests.cmi5.conftest import AU1, launch, register
from tests.conftest import Account


def test_the_first_fetch_returns_basic_credentials_and_later_ones_error_code_1(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    first = client.post(launched.fetch_path)
    assert first.status_code == 200
    token = first.json()["auth-token"]
    key, _, secret = base64.b64decode(token).decode().partition(":")
    assert key.startswith("cmi5-") and secret
    grant = authenticate_basic(session, token)
    assert grant is not None
    assert grant.session_id == launched.session_id
    assert grant.registration_id == registration["id"]
    assert grant.launch_activity_id == launched.params["activityId"]
    second = client.post(launched.fetch_path)
    assert second.status_code == 200
    assert second.json()["error-code"] == "1"
    assert isinstance(second.json()["error-text"], str)


def test_fetch_tokens_are_stored_hashed(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    raw = launched.fetch_path.rsplit("/", 1)[-1]
    hashes = set(session.scalars(select(Cmi5FetchToken.token_hash)))
    assert raw not in hashes
    assert hash_token(raw) in hashes


def test_fetch_is_post_only(client: TestClient, teacher: Account, learner: Account, course) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    assert client.get(launched.fetch_path).status_code == 405
    assert client.post(launched.fetch_path).json()["auth-token"]


def test_an_unknown_fetch_token_is_401(client: TestClient) -> None:
    response = client.post("/api/cmi5/fetch/not-a-token")
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Invalid or expired fetch token"}


def test_an_expired_fetch_token_is_refused(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    raw = launched.fetch_path.rsplit("/", 1)[-1]
    session.execute(
        update(Cmi5FetchToken)
        .where(Cmi5FetchToken.token_hash == hash_token(raw))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    response = client.post(launched.fetch_path)
    assert response.status_code == 401
    assert response.json()["error"] == "Fetch token expired"


def test_a_wrong_secret_or_unknown_key_authenticates_nobody(
    client: TestClient, teacher: Account, learner: Account, course, session: Session
) -> None:
    registration = register(client, teacher, course["id"], learner)
    launched = launch(client, learner, registration["id"], AU1)
    token = client.post(launched.fetch_path).json()["auth-token"]
    key = base64.b64decode(token).decode().partition(":")[0]
    forged = base64.b64encode(f"{key}:guess".encode()).decode()
    assert authenticate_basic(session, forged) is None
    assert authenticate_basic(session, base64.b64encode(b"cmi5-x:y").decode()) is None
    assert authenticate_basic(session, "%%%") is None


def test_two_racing_redemptions_of_one_token_issue_exactly_one_auth_token(
    committed_database: Database,
) -> None:
    """Two connections redeem the same token at once; the conditional UPDATE lets one win."""
    from tests.cmi5.test_fetch_support import make_launched_session

    raw = make_launched_session(committed_database)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def redeem() -> None:
        with committed_database.session() as session:
            barrier.wait()
            result = redeem_fetch_token(session, raw)
            session.commit()
        with lock:
            outcomes.append(result.outcome)

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already_used", "issued"]
