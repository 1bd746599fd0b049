"""``learnloop lti …`` against a committed, migrated database."""

from __future__ import annotations

from typer.testing import CliRunner

from learnloop.cli.main import app

runner = CliRunner()


def _invoke(url: str, *args: str, exit_code: int = 0) -> str:
    result = runner.invoke(
        app,
        ["lti", *args],
        env={"LEARNLOOP_DATABASE_URL": url, "LEARNLOOP_BASE_URL": "https://learn.example"},
    )
    assert result.exit_code == exit_code, result.output
    return result.output


def test_platforms_from_the_command_line(committed_database_url: str) -> None:
    url = committed_database_url
    output = _invoke(
        url,
        "add",
        "--issuer", "https://lms.example",
        "--client-id", "tool-1",
        "--auth-login-url", "https://lms.example/auth",
        "--token-url", "https://lms.example/token",
        "--jwks-url", "https://lms.example/jwks",
        "--deployment-id", "d1",
    )  # fmt: skip
    platform_id = output.split()[2]
    _invoke(url, "add-deployment", platform_id, "d2")
    assert f"{platform_id}\thttps://lms.example\ttool-1\td1,d2" in _invoke(url, "list")
    duplicate = _invoke(
        url,
        "add",
        "--issuer", "https://lms.example",
        "--client-id", "tool-1",
        "--auth-login-url", "https://lms.example/auth",
        "--token-url", "https://lms.example/token",
        "--jwks-url", "https://lms.example/jwks",
        exit_code=1,
    )  # fmt: skip
    assert "registered" in duplicate
    _invoke(url, "remove", platform_id)
    assert platform_id not in _invoke(url, "list")
    assert "not found" in _invoke(url, "remove", platform_id, exit_code=1)


def test_config_prints_the_tool_urls(committed_database_url: str) -> None:
    output = _invoke(committed_database_url, "config")
    assert "loginInitiationUrl: https://learn.example/lti/login" in output
    assert "jwksUrl: https://learn.example/lti/jwks" in output
