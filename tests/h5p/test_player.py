"""GET /h5p/play/:contentId, the player page, core files and signed content-file URLs."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from learnloop.config import Settings
from learnloop.h5p.models import ContentOwnership
from learnloop.h5p.player_files import file_grant, verify_grant
from learnloop.main import create_app
from tests.h5p.conftest import import_file


@pytest.fixture
def public_multichoice(client, teacher, multichoice):
    response = client.patch(
        f"/h5p/content/{multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "public"},
    )
    assert response.status_code == 200
    return multichoice


def play(client: TestClient, content_id: str, headers=None, **params):
    return client.get(f"/h5p/play/{content_id}", headers=headers or {}, params=params)


def test_play_returns_the_reference_model_with_an_h5p_integration(
    client, learner, public_multichoice, settings
):
    response = play(client, public_multichoice, learner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert set(data) == {"integration", "scripts", "styles"}
    integration = data["integration"]
    content = integration["contents"][f"cid-{public_multichoice}"]
    assert content["library"] == "H5P.MultiChoice 1.14"
    params = json.loads(content["jsonContent"])
    assert "answers" in params and "question" in params
    assert content["fullScreen"] in ("0", "1")
    assert content["exportUrl"] == f"/h5p/content/{public_multichoice}/export"
    assert f"/h5p/embed/{public_multichoice}" in content["embedCode"]
    assert ":w" in content["embedCode"] and ":h" in content["embedCode"]
    assert "/h5p/player/resizer.js" in content["resizeCode"]
    assert set(content["displayOptions"]) >= {"frame", "export", "embed", "copyright", "icon"}
    assert content["displayOptions"]["export"] is False  # learners cannot export
    assert content["contentUserData"] == {}
    # The xAPI object id is the reference's content activity IRI (analytics keys on it).
    assert content["url"] == f"{settings.base_url}/h5p/content/{public_multichoice}"
    assert integration["url"] == "/h5p"
    assert integration["urlLibraries"] == "/h5p/libraries"
    assert integration["user"] == {
        "name": learner.user.display_name,
        "mail": learner.user.email,
        "id": learner.id,
    }
    assert integration["saveFreq"] == settings.h5p_save_freq_seconds
    assert integration["postUserStatistics"] is True
    assert integration["l10n"]["H5P"]["contentChanged"]
    ajax = integration["ajax"]
    assert ajax["setFinished"].startswith(settings.h5p_set_finished_url + "?")
    assert ajax["contentUserData"].startswith(
        "/h5p/contentUserData/:contentId/:dataType/:subContentId?"
    )


def test_play_puts_the_callers_token_into_the_ajax_urls(client, learner, public_multichoice):
    by_header = play(client, public_multichoice, learner.headers).json()["data"]["integration"]
    by_query = play(client, public_multichoice, token=learner.token).json()["data"]["integration"]
    for integration in (by_header, by_query):
        for url in integration["ajax"].values():
            query = parse_qs(urlsplit(url).query)
            assert query["token"] == [learner.token]
            assert "csrf" not in query


def test_play_gives_cookie_callers_a_csrf_token_and_no_bearer_token(
    client, learner, public_multichoice
):
    client.cookies.set("learnloop_token", learner.token)
    response = play(client, public_multichoice)
    assert response.status_code == 200
    for url in response.json()["data"]["integration"]["ajax"].values():
        query = parse_qs(urlsplit(url).query)
        assert "token" not in query
        assert re.fullmatch(r"[0-9a-f]{64}", query["csrf"][0])


def test_scripts_and_styles_come_in_dependency_order_after_the_core(client, teacher, multichoice):
    data = play(client, multichoice, teacher.headers).json()["data"]
    scripts, styles = data["scripts"], data["styles"]
    assert scripts[0] == "/h5p/core/frame.bundle.js"
    assert styles[0] == "/h5p/core/styles/h5p.css"
    folders = [url.split("/")[3] for url in scripts[1:]]
    assert all(url.startswith("/h5p/libraries/") for url in scripts[1:])
    # Dependencies before dependents (sub-content libraries such as H5P.Image follow).
    assert folders.index("H5P.JoubelUI-1.3") < folders.index("H5P.Question-1.4")
    assert folders.index("H5P.Question-1.4") < folders.index("H5P.MultiChoice-1.14")
    assert folders.index("H5P.Transition-1.0") < folders.index("H5P.JoubelUI-1.3")
    integration = data["integration"]
    content = integration["contents"][f"cid-{multichoice}"]
    assert content["scripts"] == scripts[1:]
    assert content["styles"] == styles[1:]
    assert integration["core"] == {"scripts": scripts[:1], "styles": styles[:1]}


def test_every_script_of_the_model_is_served(client, teacher, multichoice):
    data = play(client, multichoice, teacher.headers).json()["data"]
    for url in data["scripts"] + data["styles"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(("text/javascript", "text/css"))


def test_play_counts_a_view_after_the_response(client, session, learner, public_multichoice):
    for _ in range(3):
        assert play(client, public_multichoice, learner.headers).status_code == 200
    session.expire_all()
    ownership = session.scalars(
        select(ContentOwnership).where(ContentOwnership.content_id == public_multichoice)
    ).one()
    assert ownership.view_count == 3


def test_play_needs_a_token(client, public_multichoice):
    response = play(client, public_multichoice)
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_someone_elses_private_content_is_not_played(client, learner, multichoice):
    assert play(client, multichoice, learner.headers).status_code == 404


def test_the_owner_plays_private_content_and_may_export(client, teacher, multichoice):
    response = play(client, multichoice, teacher.headers)
    assert response.status_code == 200
    content = response.json()["data"]["integration"]["contents"][f"cid-{multichoice}"]
    assert content["displayOptions"]["export"] is True


def test_unknown_content_is_404_and_a_bad_language_is_400(client, teacher, multichoice):
    assert play(client, "404404", teacher.headers).status_code == 404
    assert play(client, multichoice, teacher.headers, language="<script>").status_code == 400


def test_language_replaces_untouched_defaults_with_the_library_translation(client, admin, hub_dir):
    content_id = import_file(client, admin.headers, hub_dir / "H5P.Blanks.h5p").json()["data"][
        "contentId"
    ]
    english = play(client, content_id, admin.headers).json()["data"]["integration"]
    german = play(client, content_id, admin.headers, language="de").json()["data"]["integration"]
    english_params = json.loads(english["contents"][f"cid-{content_id}"]["jsonContent"])
    german_params = json.loads(german["contents"][f"cid-{content_id}"]["jsonContent"])
    # The package keeps H5P.Blanks' English default for the Check button …
    assert english_params["checkAnswer"] == "Check"
    # … which language/de.json translates; the author's own texts stay as they are.
    assert german_params["checkAnswer"] == "Überprüfen"
    assert german_params["questions"] == english_params["questions"]
    assert german_params["text"] == english_params["text"]


def test_a_language_without_files_keeps_the_params(client, teacher, multichoice):
    plain = play(client, multichoice, teacher.headers).json()["data"]["integration"]
    other = play(client, multichoice, teacher.headers, language="zz").json()["data"]["integration"]
    key = f"cid-{multichoice}"
    assert other["contents"][key]["jsonContent"] == plain["contents"][key]["jsonContent"]


# --- the player page --------------------------------------------------------------------------


def test_the_player_page_renders_the_integration_and_loads_only_local_files(
    client, learner, public_multichoice
):
    response = client.get(f"/h5p/embed/{public_multichoice}", params={"token": learner.token})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    page = response.text
    assert f'data-content-id="{public_multichoice}"' in page
    assert "window.H5PIntegration = " in page
    assert '<script src="/h5p/core/frame.bundle.js"></script>' in page
    # Everything the page loads comes from this server (nothing from the internet).
    for url in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert url.startswith(("/", "data:")), url
    # The core comes before the libraries, and the capture script after them.
    core = page.index('<script src="/h5p/core/frame.bundle.js">')
    assert core < page.index('<script src="/h5p/libraries/')
    assert page.rindex('<script src="/h5p/libraries/') < page.index("/h5p/player/capture.js")


def test_the_player_page_escapes_script_breaking_text(client, admin, hub_dir):
    content_id = import_file(client, admin.headers, hub_dir / "H5P.TrueFalse.h5p").json()["data"][
        "contentId"
    ]
    params = client.get(f"/h5p/content/{content_id}/params", headers=admin.headers).json()["data"]
    params["params"]["question"] = "<p>Is </script><script>alert(1)</script> safe?</p>"
    updated = client.put(
        f"/h5p/content/{content_id}",
        headers=admin.headers,
        json={"library": params["library"], "params": params["params"]},
    )
    assert updated.status_code == 200, updated.text
    page = client.get(f"/h5p/embed/{content_id}", params={"token": admin.token}).text
    assert "</script><script>alert(1)" not in page


def test_the_player_page_without_a_user_is_a_401_page(client, public_multichoice):
    response = client.get(f"/h5p/embed/{public_multichoice}")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "/login?next=" in response.text


def test_the_player_page_of_someone_elses_private_content_is_a_404_page(
    client, learner, multichoice
):
    response = client.get(f"/h5p/embed/{multichoice}", params={"token": learner.token})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_player_static_files_come_from_an_allow_list(client):
    assert client.get("/h5p/player/capture.js").status_code == 200
    assert client.get("/h5p/player/resizer.js").status_code == 200
    assert client.get("/h5p/player/embed.html").status_code == 404
    assert client.get("/h5p/player/..%2F..%2Fplayer.py").status_code == 404


# --- core files -------------------------------------------------------------------------------


def test_core_files_are_served_from_h5p_standalone(client):
    script = client.get("/h5p/core/frame.bundle.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert b"H5PIntegration" in script.content
    assert client.get("/h5p/core/styles/h5p.css").status_code == 200


@pytest.mark.parametrize(
    "path", ["../package.json", "..%2Fpackage.json", "nothing.js", "styles/../../README.md"]
)
def test_core_files_outside_the_dist_directory_are_404(client, path):
    assert client.get(f"/h5p/core/{path}").status_code == 404


# --- signed content-file URLs -----------------------------------------------------------------


def content_url(client, content_id, headers):
    integration = play(client, content_id, headers).json()["data"]["integration"]
    return integration["contents"][f"cid-{content_id}"]["contentUrl"]


def test_content_files_load_through_the_signed_content_url_without_a_token(client, admin, hub_dir):
    content_id = import_file(client, admin.headers, hub_dir / "H5P.TrueFalse.h5p").json()["data"][
        "contentId"
    ]
    base = content_url(client, content_id, admin.headers)
    assert base.startswith(f"/h5p/play-files/{content_id}/")
    image = client.get(f"{base}/images/file-582dbbc081261.jpg")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"


def test_a_signed_content_url_does_not_open_other_content_or_forged_grants(
    client, admin, hub_dir, multichoice
):
    content_id = import_file(client, admin.headers, hub_dir / "H5P.TrueFalse.h5p").json()["data"][
        "contentId"
    ]
    grant = content_url(client, content_id, admin.headers).rsplit("/", 1)[1]
    other = client.get(f"/h5p/play-files/{multichoice}/{grant}/content.json")
    assert other.status_code == 403
    forged = grant[:-4] + ("AAAA" if not grant.endswith("AAAA") else "BBBB")
    assert client.get(f"/h5p/play-files/{content_id}/{forged}/images/x.jpg").status_code == 403
    assert client.get(f"/h5p/play-files/{content_id}/garbage/images/x.jpg").status_code == 403


def test_a_grant_expires(settings: Settings):
    grant = file_grant(settings, "c1", "u1", now=1_000_000.0)
    assert verify_grant(settings, "c1", grant, now=1_000_001.0) == "u1"
    with pytest.raises(Exception, match="expired"):
        verify_grant(settings, "c1", grant, now=1_000_000.0 + settings.jwt_ttl_seconds + 1)


def test_a_grant_stops_working_when_the_content_becomes_private(
    client, teacher, learner, public_multichoice
):
    base = content_url(client, public_multichoice, learner.headers)
    assert client.get(f"{base}/content.json").status_code in (200, 404)
    client.patch(
        f"/h5p/content/{public_multichoice}/visibility",
        headers=teacher.headers,
        json={"visibility": "private"},
    )
    assert client.get(f"{base}/content.json").status_code == 404


def player_config(page: str) -> dict[str, object]:
    match = re.search(r"window\.LearnLoopPlayer = (\{.*?\});", page)
    assert match is not None
    config: dict[str, object] = json.loads(match.group(1))
    return config


@pytest.mark.parametrize(("finished", "capture"), [(True, False), (False, True), (False, False)])
def test_completion_tracking_and_xapi_capture_switch_independently(
    settings, database, storage, teacher, multichoice, finished, capture
):
    changed = settings.model_copy(
        update={"h5p_set_finished_enabled": finished, "h5p_xapi_capture_enabled": capture}
    )
    with TestClient(create_app(changed, database=database, storage=storage)) as client:
        page = client.get(f"/h5p/embed/{multichoice}", params={"token": teacher.token}).text
    config = player_config(page)
    assert config["xapiCapture"] is capture
    assert config["xapiEndpoint"] == "/api/xapi/statements"
    integration = re.search(r"window\.H5PIntegration = (.*?);\nwindow\.LearnLoopPlayer", page)
    assert integration is not None
    assert json.loads(integration.group(1))["postUserStatistics"] is finished


def test_the_save_frequency_is_configurable_and_zero_turns_saving_off(
    settings, database, storage, teacher, multichoice
):
    for seconds, expected in ((5, 5), (0, False)):
        changed = settings.model_copy(update={"h5p_save_freq_seconds": seconds})
        with TestClient(create_app(changed, database=database, storage=storage)) as client:
            model = play(client, multichoice, teacher.headers).json()["data"]
        assert model["integration"]["saveFreq"] == expected
