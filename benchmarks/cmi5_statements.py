"""Cost of the cmi5 statement rules and tracking on statement ingest.

    .venv/bin/python -m benchmarks.cmi5_statements
    .venv/bin/python -m benchmarks.cmi5_statements --database-url postgresql+psycopg://postgres@127.0.0.1/bench

In one app (in process, one scratch database), the same number of cmi5 allowed statements
is POSTed one by one to /xapi/statements twice: with LRS client credentials (the baseline:
no cmi5 work) and with an AU's auth token from a cmi5 launch (session lookup, statement
rules, session tracking and moveOn evaluation on every statement). Also times launches
(LaunchData, launched statement, fetch token) against the registration lookup they
start from. Prints requests/s and the ratios; both sides run in the same process and run.
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from learnloop.auth import users as user_service
from learnloop.auth.models import Role
from learnloop.auth.tokens import issue_token
from learnloop.cmi5.vocabulary import CATEGORY_CMI5, EXT_SESSION_ID
from learnloop.config import Settings
from learnloop.db import Database
from learnloop.main import create_app
from learnloop.migrate import upgrade
from learnloop.xapi.credentials import create_client

VERSION = {"X-Experience-API-Version": "1.0.3"}
AU = "https://bench.example/aus/1"
COURSE_XML = f"""<?xml version="1.0"?>
<courseStructure xmlns="http://www.adlnet.gov/cmi5/CourseStructure.xsd">
 <course id="https://bench.example/course"><title><langstring>B</langstring></title>
  <description><langstring>B</langstring></description></course>
 <au id="{AU}" moveOn="Completed"><title><langstring>A</langstring></title>
  <description><langstring>A</langstring></description><url>https://bench.example/au</url></au>
</courseStructure>""".encode()


def _statement(params: dict[str, str], session_id: str, verb: str, cmi5: bool) -> dict[str, Any]:
    context: dict[str, Any] = {
        "registration": params["registration"],
        "contextActivities": {"grouping": [{"id": AU}]},
        "extensions": {EXT_SESSION_ID: session_id},
    }
    if cmi5:
        context["contextActivities"]["category"] = [{"id": CATEGORY_CMI5}]
    return {
        "id": str(uuid.uuid4()),
        "actor": json.loads(params["actor"]),
        "verb": {"id": verb},
        "object": {"id": params["activityId"]},
        "context": context,
    }


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--statements", type=int, default=300)
    parser.add_argument("--launches", type=int, default=100)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="cmi5-bench-"))
    url = args.database_url or f"sqlite:///{directory / 'bench.db'}"
    settings = Settings(
        environment="test",
        data_dir=directory,
        database_url=url,
        jwt_secret="benchmark-secret-benchmark-secret-0123456789",
        run_worker_in_process=False,
        base_url="http://testserver",
    )
    database = Database.from_url(url)
    upgrade(database.engine)
    with database.transaction() as session:
        admin = user_service.create_user(
            session,
            email=f"bench-{uuid.uuid4().hex[:8]}@example.test",
            display_name="Bench",
            role=Role.ADMIN,
            password="correct horse battery",
        )
        issued = create_client(session, name="bench", scopes=["all"])
        basic = base64.b64encode(f"{issued.client.key}:{issued.secret}".encode()).decode()
        token, _ = issue_token(settings, admin)
    bearer = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings, database=database)) as client:
        course = client.post(
            "/api/cmi5/courses", headers=bearer, files={"file": ("cmi5.xml", COURSE_XML)}
        ).json()["data"]
        registration = client.post(
            "/api/cmi5/register",
            headers=bearer,
            json={"courseId": course["id"], "learnerId": admin.id},
        ).json()["data"]

        start = time.perf_counter()
        for _ in range(args.launches):
            assert (
                client.get(f"/api/cmi5/sessions/{registration['id']}", headers=bearer).status_code
                == 200
            )
        lookup_seconds = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(args.launches):
            launched = client.get(f"/api/cmi5/launch/{registration['id']}", headers=bearer)
            assert launched.status_code == 200
        launch_seconds = time.perf_counter() - start

        data = launched.json()["data"]
        params = {k: v[0] for k, v in parse_qs(urlsplit(data["launchUrl"]).query).items()}
        auth = client.post(urlsplit(params["fetch"]).path).json()["auth-token"]
        au_headers = {"Authorization": f"Basic {auth}", **VERSION}
        client_headers = {"Authorization": f"Basic {basic}", **VERSION}
        initialized = _statement(
            params, data["sessionId"], "http://adlnet.gov/expapi/verbs/initialized", True
        )
        assert (
            client.post("/xapi/statements", headers=au_headers, json=initialized).status_code == 200
        )

        verb = "http://adlnet.gov/expapi/verbs/experienced"
        start = time.perf_counter()
        for _ in range(args.statements):
            statement = _statement(params, data["sessionId"], verb, False)
            assert (
                client.post("/xapi/statements", headers=client_headers, json=statement).status_code
                == 200
            )
        baseline_seconds = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(args.statements):
            statement = _statement(params, data["sessionId"], verb, False)
            assert (
                client.post("/xapi/statements", headers=au_headers, json=statement).status_code
                == 200
            )
        au_seconds = time.perf_counter() - start
    database.engine.dispose()

    backend = url.split(":", 1)[0]
    baseline = _rate(args.statements, baseline_seconds)
    au_rate = _rate(args.statements, au_seconds)
    lookups = _rate(args.launches, lookup_seconds)
    launches = _rate(args.launches, launch_seconds)
    print(f"backend: {backend}")
    print(f"statements, LRS client credentials : {baseline:8.1f}/s")
    print(f"statements, cmi5 AU auth token     : {au_rate:8.1f}/s  ratio {au_rate / baseline:.2f}")
    print(f"GET /api/cmi5/sessions (lookup)    : {lookups:8.1f}/s")
    print(f"GET /api/cmi5/launch               : {launches:8.1f}/s  ratio {launches / lookups:.2f}")


if __name__ == "__main__":
    main()
