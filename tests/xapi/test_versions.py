"""Which xAPI versions a request and a statement may use (xAPI-Communication 3.3, Data 2.4.10)."""

from __future__ import annotations

import pytest

from learnloop.xapi.versions import XapiVersion, response_version, statement_version_allowed


@pytest.mark.parametrize("version", ["1.0", "1.0.0", "1.0.3", "1.0.9"])
def test_any_1_0_statement_version_is_allowed_over_both_versions(version):
    assert statement_version_allowed(version, XapiVersion.V1_0_3)
    assert statement_version_allowed(version, XapiVersion.V2_0_0)


@pytest.mark.parametrize("version", ["2.0", "2.0.0", "2.0.1"])
def test_2_0_statement_versions_are_allowed_over_2_0_only(version):
    assert statement_version_allowed(version, XapiVersion.V2_0_0)
    assert not statement_version_allowed(version, XapiVersion.V1_0_3)


@pytest.mark.parametrize("version", ["0.95", "0.9.9", "1.1.0", "1", "1.0.x", "should fail"])
def test_other_statement_versions_are_refused(version):
    assert not statement_version_allowed(version, XapiVersion.V2_0_0)


@pytest.mark.parametrize(
    ("sent", "answered"),
    [
        ("1.0", XapiVersion.V1_0_3),
        (" 1.0.1 ", XapiVersion.V1_0_3),
        ("2.0.0", XapiVersion.V2_0_0),
        (None, XapiVersion.V2_0_0),
        ("", XapiVersion.V2_0_0),
        ("0.95", XapiVersion.V2_0_0),
    ],
)
def test_responses_announce_the_requested_version_or_else_the_latest(sent, answered):
    assert response_version(sent) is answered
