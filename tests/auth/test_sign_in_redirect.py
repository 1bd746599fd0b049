"""Issue 12 item 10: after signing in, ``next`` may only lead to a path on this site."""

from __future__ import annotations

import html
import re

import pytest

from learnloop.web.dashboard import DEFAULT_NEXT_PATH, safe_next_path

ESCAPES = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "data:text/html,hi",
    "evil.example",
    " /dashboard",
    "/x\x00/evil",
    "/\x7f/evil.example",
    "",
]


@pytest.mark.parametrize("next_path", ESCAPES)
def test_anything_that_could_leave_the_site_falls_back_to_the_dashboard(next_path):
    assert safe_next_path(next_path) == DEFAULT_NEXT_PATH


@pytest.mark.parametrize(
    "next_path", ["/dashboard", "/dashboard/content/abc?x=1#top", "/my-progress", "/a/%2F%2Fb"]
)
def test_paths_on_this_site_are_kept(next_path):
    assert safe_next_path(next_path) == next_path


def rendered_next(client, raw_query: str) -> str:
    page = client.get(f"/login?next={raw_query}")
    assert page.status_code == 200
    match = re.search(r'data-next="([^"]*)"', page.text)
    assert match is not None
    return html.unescape(match.group(1))


@pytest.mark.parametrize(
    "raw_query",
    [
        "%2F%09%2Fevil.example",
        "%2F%0A%2Fevil.example",
        "%2F%5Cevil.example",
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "javascript%3Aalert(1)",
    ],
)
def test_the_login_page_hands_the_script_only_a_safe_next(client, raw_query):
    assert rendered_next(client, raw_query) == DEFAULT_NEXT_PATH


def test_the_login_page_keeps_a_local_next(client):
    assert rendered_next(client, "%2Fmy-progress") == "/my-progress"
