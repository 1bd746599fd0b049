from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from learnloop.cli.main import app as cli_app
from learnloop.cmi5.models import Cmi5Au, Cmi5Course
from tests.cmi5.course_files import Au, Block, course_xml, course_zip, is_zip64
from tests.conftest import Account

PAGE = b"<!doctype html><title>AU</title><p>hello"


def _upload(client: TestClient, account: Account, name: str, data: bytes):
    return client.post(
        "/api/cmi5/courses",
        headers=account.headers,
        files={"file": (name, data, "application/zip")},
    )


def test_a_zip_package_is_imported_and_its_au_files_are_served(
    client: TestClient, teacher: Account
) -> None:
    xml = course_xml([Au("https://example.test/aus/1", "au/index.html?x=1")])
    response = _upload(client, teacher, "course.zip", course_zip(xml, {"au/index.html": PAGE}))
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["auCount"] == 1
    assert data["fileCount"] == 2
    served = client.get(f"/cmi5/courses/{data['id']}/files/au/index.html")
    assert served.status_code == 200
    assert served.content == PAGE
    assert served.headers["content-type"].startswith("text/html")
    assert client.get(f"/cmi5/courses/{data['id']}/files/au/missing.html").status_code == 404


def test_a_zip64_package_is_imported(client: TestClient, teacher: Account) -> None:
    xml = course_xml([Au("https://example.test/aus/1", "index.html")])
    package = course_zip(xml, {"index.html": PAGE}, zip64=True)
    assert is_zip64(package)
    response = _upload(client, teacher, "course.zip", package)
    assert response.status_code == 201, response.text
    course_id = response.json()["data"]["id"]
    assert client.get(f"/cmi5/courses/{course_id}/files/index.html").content == PAGE


def test_a_course_with_more_than_a_thousand_aus_imports(
    client: TestClient, teacher: Account, session: Session
) -> None:
    aus = [
        Au(f"https://example.test/aus/{n}", f"https://aus.example.test/{n}") for n in range(1200)
    ]
    xml = course_xml([Block("https://example.test/blocks/1", aus[:600]), *aus[600:]])
    response = _upload(client, teacher, "cmi5.xml", xml)
    assert response.status_code == 201, response.text
    course_id = response.json()["data"]["id"]
    count = session.scalar(
        select(func.count()).select_from(Cmi5Au).where(Cmi5Au.course_id == course_id)
    )
    assert count == 1200


def test_a_zip_without_cmi5_xml_at_its_root_is_400_and_stores_nothing(
    client: TestClient, teacher: Account, session: Session
) -> None:
    before = session.scalar(select(func.count()).select_from(Cmi5Course))
    package = course_zip(b"", {})
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "course/cmi5.xml", course_xml([Au("https://example.test/aus/1", "https://a.test/")])
        )
    package = buffer.getvalue()
    response = _upload(client, teacher, "course.zip", package)
    assert response.status_code == 400
    assert "root directory" in response.json()["error"]
    assert session.scalar(select(func.count()).select_from(Cmi5Course)) == before


def test_a_relative_url_to_a_missing_file_is_400(client: TestClient, teacher: Account) -> None:
    xml = course_xml([Au("https://example.test/aus/1", "au/index.html")])
    response = _upload(client, teacher, "course.zip", course_zip(xml, {"other.html": PAGE}))
    assert response.status_code == 400
    assert "holds no file" in response.json()["error"]


def test_a_standalone_xml_with_a_relative_url_is_400(client: TestClient, teacher: Account) -> None:
    response = _upload(
        client, teacher, "cmi5.xml", course_xml([Au("https://example.test/aus/1", "index.html")])
    )
    assert response.status_code == 400
    assert "fully qualified" in response.json()["error"]


def test_a_corrupt_zip_is_400(client: TestClient, teacher: Account) -> None:
    response = _upload(client, teacher, "course.zip", b"PK\x03\x04broken")
    assert response.status_code == 400


def test_learners_cannot_import_courses(client: TestClient, learner: Account) -> None:
    xml = course_xml([Au("https://example.test/aus/1", "https://a.test/")])
    assert _upload(client, learner, "cmi5.xml", xml).status_code == 403


def test_import_without_a_token_is_401(client: TestClient) -> None:
    response = client.post("/api/cmi5/courses", files={"file": ("cmi5.xml", b"<x/>")})
    assert response.status_code == 401


def test_only_the_owner_or_an_admin_reads_a_course(
    client: TestClient, teacher: Account, make_account, admin: Account
) -> None:
    xml = course_xml([Au("https://example.test/aus/1", "https://a.test/")])
    course_id = _upload(client, teacher, "cmi5.xml", xml).json()["data"]["id"]
    other = make_account("teacher")
    assert client.get(f"/api/cmi5/courses/{course_id}", headers=teacher.headers).status_code == 200
    assert client.get(f"/api/cmi5/courses/{course_id}", headers=admin.headers).status_code == 200
    assert client.get(f"/api/cmi5/courses/{course_id}", headers=other.headers).status_code == 404


def test_cli_imports_a_course(committed_database_url: str, tmp_path: Path, monkeypatch) -> None:
    xml = course_xml([Au("https://example.test/aus/1", "index.html")])
    package = tmp_path / "course.zip"
    package.write_bytes(course_zip(xml, {"index.html": PAGE}))
    monkeypatch.setenv("LEARNLOOP_DATABASE_URL", committed_database_url)
    monkeypatch.setenv("LEARNLOOP_DATA_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(cli_app, ["cmi5", "import", str(package)])
    assert result.exit_code == 0, result.output
    course_id, publisher_id, aus, files = result.output.strip().split("\t")
    assert publisher_id == "https://example.test/courses/c1"
    assert (aus, files) == ("aus=1", "files=2")
    stored = tmp_path / "var" / "files" / "cmi5" / "courses" / course_id / "files" / "index.html"
    assert stored.read_bytes() == PAGE


def test_cli_refuses_a_bad_course_with_the_rule(
    committed_database_url: str, tmp_path: Path, monkeypatch
) -> None:
    bad = tmp_path / "cmi5.xml"
    bad.write_bytes(course_xml([Au("https://example.test/aus/1", "index.html")]))
    monkeypatch.setenv("LEARNLOOP_DATABASE_URL", committed_database_url)
    monkeypatch.setenv("LEARNLOOP_DATA_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(cli_app, ["cmi5", "import", str(bad)])
    assert result.exit_code == 1
    assert "fully qualified" in result.output


def test_cli_lists_and_deletes_a_course_with_its_files(
    committed_database_url: str, tmp_path: Path, monkeypatch
) -> None:
    xml = course_xml([Au("https://example.test/aus/1", "index.html")])
    package = tmp_path / "course.zip"
    package.write_bytes(course_zip(xml, {"index.html": PAGE}))
    monkeypatch.setenv("LEARNLOOP_DATABASE_URL", committed_database_url)
    monkeypatch.setenv("LEARNLOOP_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    course_id = runner.invoke(cli_app, ["cmi5", "import", str(package)]).output.split("\t")[0]
    listed = runner.invoke(cli_app, ["cmi5", "list"])
    assert f"{course_id}\thttps://example.test/courses/c1\taus=1" in listed.output
    deleted = runner.invoke(cli_app, ["cmi5", "delete", course_id])
    assert deleted.exit_code == 0, deleted.output
    assert deleted.output.strip() == f"deleted {course_id}\tfiles=2"
    assert not (tmp_path / "var" / "files" / "cmi5" / "courses" / course_id).exists() or not any(
        (tmp_path / "var" / "files" / "cmi5" / "courses" / course_id).rglob("*.*")
    )
    assert course_id not in runner.invoke(cli_app, ["cmi5", "list"]).output
    missing = runner.invoke(cli_app, ["cmi5", "delete", course_id])
    assert missing.exit_code == 1
    assert "Course not found" in missing.output
