"""The hub flows against a local hub speaking the H5P Hub protocol with recorded answers."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from learnloop.db import utcnow
from learnloop.h5p.hub.models import HubContentType, HubSite
from learnloop.h5p.hub.tasks import HUB_REFRESH_JOB
from learnloop.h5p.models import H5PLibrary
from learnloop.jobs.models import Job, JobStatus
from learnloop.main import build_worker
from learnloop.plans.plans import assign_plan, upsert_plan
from tests.h5p.conftest import rebuild_zip
from tests.h5p.hub.hub_server import listing_for, recorded

RECORDED_UUID = "8de62c47-f335-42f6-909d-2d8f4b7fb7f5"


def _library_count(session, machine_name: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(H5PLibrary)
            .where(H5PLibrary.machine_name == machine_name)
        )
    )


def _serve(hub, hub_dir: Path, *names: str) -> None:
    hub.state.packages = {name: hub_dir / f"{name}.h5p" for name in names}
    hub.state.listing = listing_for(hub.state.api_dir, hub.state.packages)


def test_first_listing_registers_the_site_then_posts_its_info_and_caches_the_answer(
    client, learner, hub, session
):
    response = client.get("/h5p/content-types", headers=learner.headers)

    assert response.status_code == 200, response.text
    assert len(hub.state.registrations) == 1
    registration = hub.state.registrations[0]
    assert registration["uuid"] == ""
    assert registration["platform_name"] == "LearnLoop"
    assert registration["core_api_version"] == "1.26"
    assert registration["disabled"] == "0"
    # The uuid the hub gave is sent with the content-types request.
    assert [request["uuid"] for request in hub.state.listing_requests] == [RECORDED_UUID]
    assert session.get(HubSite, 1).uuid == RECORDED_UUID

    [example] = response.json()["data"]["contentTypes"]
    assert example == {
        "id": "H5P.Example1",
        "title": "Example 1",
        "summary": "Example content type 1",
        "description": "The description of content type 1",
        "icon": "https://dev.w3.org/SVG/tools/svgweb/samples/svg-files/cc.svg",
        "screenshots": [
            {
                "url": "https://via.placeholder.com/200x150.png?text=Screenshot+1",
                "alt": "Screenshot 1",
            },
            {
                "url": "https://via.placeholder.com/200x150.png?text=Screenshot+2",
                "alt": "Screenshot 2",
            },
        ],
        "majorVersion": 1,
        "minorVersion": 2,
        "patchVersion": 0,
        "version": "1.2.0",
        "popularity": 1,
        "isRecommended": False,
        "installed": False,
        "installedVersions": [],
        "updatable": False,
    }
    assert response.json()["data"]["hub"]["lastError"] is None


def test_later_listings_answer_from_the_cache_and_a_refresh_job_is_pending(
    client, learner, hub, session
):
    client.get("/h5p/content-types", headers=learner.headers)
    response = client.get("/h5p/content-types", headers=learner.headers)

    assert response.status_code == 200
    assert len(hub.state.listing_requests) == 1
    pending = session.scalars(
        select(Job).where(Job.kind == HUB_REFRESH_JOB, Job.status == JobStatus.PENDING.value)
    ).all()
    assert len(pending) == 1
    assert pending[0].run_after > utcnow() + timedelta(hours=23)


def test_the_refresh_job_replaces_the_cache_with_the_hubs_new_answer(
    client, app, learner, hub, hub_api_dir, session
):
    client.get("/h5p/content-types", headers=learner.headers)
    hub.state.listing = recorded(hub_api_dir, "2-content-types.json")
    job = session.scalars(select(Job).where(Job.kind == HUB_REFRESH_JOB)).one()
    job.run_after = utcnow() - timedelta(seconds=1)
    session.commit()

    assert build_worker(app.state.services).run_until_idle() == 1

    ids = [row.machine_name for row in session.scalars(select(HubContentType))]
    expected = [entry["id"] for entry in hub.state.listing["contentTypes"]]
    assert sorted(ids) == sorted(expected)
    assert len(hub.state.registrations) == 1  # registered once, the uuid is kept
    # The run scheduled the next one.
    assert (
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.kind == HUB_REFRESH_JOB, Job.status == JobStatus.PENDING.value)
        )
        == 1
    )

    hub.state.listing = recorded(hub_api_dir, "0-content-types.json")
    session.scalars(
        select(Job).where(Job.kind == HUB_REFRESH_JOB, Job.status == JobStatus.PENDING.value)
    ).one().run_after = utcnow() - timedelta(seconds=1)
    session.commit()
    build_worker(app.state.services).run_until_idle()
    response = client.get("/h5p/content-types", headers=learner.headers)
    assert response.json()["data"]["contentTypes"] == []


def test_an_admin_installs_a_content_type_from_the_hub(
    client, admin, hub, hub_dir, session, storage
):
    _serve(hub, hub_dir, "H5P.MultiChoice")

    response = client.post(
        "/h5p/libraries/install", headers=admin.headers, json={"machineName": "H5P.MultiChoice"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Library H5P.MultiChoice installed successfully"
    assert "H5P.MultiChoice 1.14" in body["data"]["installed"]
    assert hub.state.downloads == ["H5P.MultiChoice"]
    assert storage.list_keys("libraries/H5P.MultiChoice-1.14")
    listed = client.get("/h5p/content-types", headers=admin.headers).json()["data"]
    [multichoice] = listed["contentTypes"]
    assert multichoice["installed"] is True
    assert multichoice["updatable"] is False
    assert multichoice["installedVersions"] == [multichoice["version"]]


def test_a_newer_version_on_the_hub_makes_the_type_updatable(client, admin, hub, hub_dir, app):
    _serve(hub, hub_dir, "H5P.TrueFalse")
    client.post(
        "/h5p/libraries/install", headers=admin.headers, json={"machineName": "H5P.TrueFalse"}
    )
    hub.state.listing["contentTypes"][0]["version"]["patch"] += 1
    # A refresh (as the job does) learns of the new patch.
    from learnloop.h5p.hub import cache
    from learnloop.h5p.hub.tasks import hub_client

    with app.state.database.transaction() as session:
        cache.refresh_cache(
            session, app.state.settings, hub_client(app.state.settings, app.state.services.http)
        )

    listed = client.get("/h5p/content-types", headers=admin.headers).json()["data"]
    [true_false] = listed["contentTypes"]
    assert true_false["installed"] is True
    assert true_false["updatable"] is True


def test_a_teacher_without_the_right_may_not_install_and_nothing_is_downloaded(
    client, teacher, learner, hub, hub_dir, session
):
    _serve(hub, hub_dir, "H5P.MultiChoice")
    body = {"machineName": "H5P.MultiChoice"}

    assert (
        client.post("/h5p/libraries/install", headers=teacher.headers, json=body).status_code == 403
    )
    assert (
        client.post("/h5p/libraries/install", headers=learner.headers, json=body).status_code == 403
    )
    assert client.post("/h5p/libraries/install", json=body).status_code == 401
    assert (
        client.post("/h5p/libraries/install-essentials", headers=teacher.headers).status_code == 403
    )
    assert (
        client.post("/h5p/libraries/install-essentials", headers=learner.headers).status_code == 403
    )
    assert client.get("/h5p/content-types").status_code == 401
    assert hub.state.downloads == []
    assert _library_count(session, "H5P.MultiChoice") == 0


def test_a_plan_with_install_libraries_lets_a_teacher_install_from_the_hub(
    client, teacher, hub, hub_dir, session
):
    _serve(hub, hub_dir, "H5P.Essay")
    upsert_plan(session, "school", name="School", features=["install-libraries"], quotas={})
    assign_plan(session, session.merge(teacher.user), "school")
    session.commit()

    response = client.post(
        "/h5p/libraries/install", headers=teacher.headers, json={"machineName": "H5P.Essay"}
    )

    assert response.status_code == 200, response.text
    assert _library_count(session, "H5P.Essay") == 1


def test_install_refuses_bad_requests_with_a_clear_4xx(client, admin, hub, hub_dir, session):
    _serve(hub, hub_dir, "H5P.MultiChoice")

    missing = client.post(
        "/h5p/libraries/install", headers=admin.headers, json={"machineName": "H5P.Nothing"}
    )
    assert missing.status_code == 404
    assert "Not found in hub" in missing.json()["error"]
    traversal = client.post(
        "/h5p/libraries/install", headers=admin.headers, json={"machineName": "../../etc"}
    )
    assert traversal.status_code == 400
    for bad in ({"machineName": 5}, {}, {"machineName": "H5P.MultiChoice", "x": 1}):
        assert (
            client.post("/h5p/libraries/install", headers=admin.headers, json=bad).status_code
            == 400
        )
    nul = client.post(
        "/h5p/libraries/install",
        headers={**admin.headers, "Content-Type": "application/json"},
        content=json.dumps({"machineName": "H5P.Multi\u0000Choice"}),
    )
    assert 400 <= nul.status_code < 500
    assert hub.state.downloads == []
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 0


def test_a_package_from_the_hub_goes_through_the_upload_validation(
    client, admin, hub, hub_dir, session, storage
):
    broken = rebuild_zip(
        hub_dir / "H5P.MultiChoice.h5p", {"H5P.MultiChoice-1.14/library.json": b"{not json"}
    )
    _serve(hub, hub_dir, "H5P.MultiChoice")
    hub.state.packages["H5P.MultiChoice"] = broken

    response = client.post(
        "/h5p/libraries/install", headers=admin.headers, json={"machineName": "H5P.MultiChoice"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["errorId"]
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 0
    assert storage.list_keys("libraries") == []


def test_install_essentials_reports_each_type_and_makes_the_server_ready(
    client, admin, hub, hub_dir, session
):
    _serve(
        hub,
        hub_dir,
        "H5P.TrueFalse",
        "H5P.Essay",
        "H5P.Summary",
        "H5P.Chart",
        "H5P.Accordion",
        "H5P.Dialogcards",
    )
    # Listed by the hub, but the package it serves is not a zip.
    hub.state.listing["contentTypes"].append(
        {**hub.state.listing["contentTypes"][0], "id": "H5P.FindTheWords"}
    )
    hub.state.packages["H5P.FindTheWords"] = b"this is not a zip"

    response = client.post("/h5p/libraries/install-essentials", headers=admin.headers)

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["total"] == 30
    assert data["installed"] == 6
    assert data["failed"] == 24
    assert response.json()["message"] == "Installed 6/30 content types"
    results = {result["name"]: result for result in data["results"]}
    assert results["H5P.TrueFalse"] == {"name": "H5P.TrueFalse", "success": True, "error": None}
    assert results["H5P.DialogCards"]["success"] is True  # the hub's H5P.Dialogcards
    assert results["H5P.MultiChoice"] == {
        "name": "H5P.MultiChoice",
        "success": False,
        "error": "Not found in hub",
    }
    assert results["H5P.FindTheWords"]["success"] is False
    assert results["H5P.FindTheWords"]["error"]
    assert _library_count(session, "H5P.FindTheWords") == 0

    status = client.get("/h5p/libraries/status", headers=admin.headers).json()["data"]
    assert status["installed"] == 6
    assert status["ready"] is True


def test_an_offline_hub_gives_clear_errors_and_the_cache_keeps_working(
    client, offline_client, admin, learner, hub, session
):
    never_reached = offline_client.get("/h5p/content-types", headers=learner.headers)
    assert never_reached.status_code == 503
    assert "unreachable" in never_reached.json()["error"]

    # The cache filled while the hub was reachable.
    assert client.get("/h5p/content-types", headers=learner.headers).status_code == 200

    listed = offline_client.get("/h5p/content-types", headers=learner.headers)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["data"]["contentTypes"]] == ["H5P.Example1"]

    install = offline_client.post(
        "/h5p/libraries/install", headers=admin.headers, json={"machineName": "H5P.Example1"}
    )
    assert install.status_code == 503
    assert "unreachable" in install.json()["error"]

    essentials = offline_client.post("/h5p/libraries/install-essentials", headers=admin.headers)
    assert essentials.status_code == 200
    assert "unreachable" in essentials.json()["data"]["refreshError"]
    assert essentials.json()["data"]["installed"] == 0

    # The refresh job notes the failure; the listing reports it and still answers.
    offline_app = offline_client.app
    job = session.scalars(select(Job).where(Job.kind == HUB_REFRESH_JOB)).one()
    job.run_after = utcnow() - timedelta(seconds=1)
    session.commit()
    build_worker(offline_app.state.services).run_until_idle()
    listed = offline_client.get("/h5p/content-types", headers=learner.headers).json()["data"]
    assert "unreachable" in listed["hub"]["lastError"]
    assert [t["id"] for t in listed["contentTypes"]] == ["H5P.Example1"]
    retry = session.scalars(
        select(Job).where(Job.kind == HUB_REFRESH_JOB, Job.status == JobStatus.PENDING.value)
    ).one()
    assert retry.run_after < utcnow() + timedelta(hours=2)


def test_a_server_without_a_hub_lists_nothing_and_refuses_installs_with_409(
    hubless_client, admin, learner, hub
):
    listed = hubless_client.get("/h5p/content-types", headers=learner.headers)
    assert listed.status_code == 200
    assert listed.json()["data"]["contentTypes"] == []
    assert listed.json()["data"]["hub"]["lastError"] == "No H5P Hub is configured on this server"

    for path, body in (
        ("/h5p/libraries/install", {"machineName": "H5P.MultiChoice"}),
        ("/h5p/libraries/install-essentials", None),
    ):
        response = hubless_client.post(path, headers=admin.headers, json=body)
        assert response.status_code == 409
        assert "No H5P Hub is configured" in response.json()["error"]
    assert hub.state.registrations == [] and hub.state.downloads == []


def test_a_download_redirected_to_a_file_host_is_followed(client, admin, hub, hub_dir, session):
    _serve(hub, hub_dir, "H5P.Chart")
    hub.state.redirects["H5P.Chart"] = "/files/H5P.Chart.h5p"

    response = client.post(
        "/h5p/libraries/install", headers=admin.headers, json={"machineName": "H5P.Chart"}
    )

    assert response.status_code == 200, response.text
    assert _library_count(session, "H5P.Chart") == 1


def test_a_redirect_away_from_http_or_in_a_loop_is_refused(client, admin, hub, hub_dir, session):
    _serve(hub, hub_dir, "H5P.Chart", "H5P.Essay")
    hub.state.redirects["H5P.Chart"] = "file:///etc/passwd"
    hub.state.redirects["H5P.Essay"] = "/v1/content-types/H5P.Essay"

    for name in ("H5P.Chart", "H5P.Essay"):
        response = client.post(
            "/h5p/libraries/install", headers=admin.headers, json={"machineName": name}
        )
        assert response.status_code == 502, response.text
        assert "redirected" in response.json()["error"]
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 0


def test_a_package_over_the_size_limit_is_refused_while_downloading(
    client, app, admin, hub, hub_dir, session
):
    _serve(hub, hub_dir, "H5P.Chart")
    app.state.settings.h5p_hub_max_package_bytes = 50_000  # H5P.Chart.h5p is 115 kB

    response = client.post(
        "/h5p/libraries/install", headers=admin.headers, json={"machineName": "H5P.Chart"}
    )

    assert response.status_code == 413, response.text
    assert session.scalar(select(func.count()).select_from(H5PLibrary)) == 0
