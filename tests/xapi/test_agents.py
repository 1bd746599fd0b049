"""Agent identity keys (xAPI-Data 2.4.2.3): the same Agent always gets the same key."""

from __future__ import annotations

from learnloop.xapi.agents import account_agent, agent_key, identity_keys, normalise_mbox


def test_mbox_key_lowercases_only_the_domain():
    assert agent_key({"mbox": "mailto:Ann.Lee@Example.COM"}) == "mbox:mailto:Ann.Lee@example.com"
    assert agent_key({"mbox": "mailto:Ann.Lee@Example.COM"}) != agent_key(
        {"mbox": "mailto:ann.lee@example.com"}
    )
    assert normalise_mbox("MAILTO:a@B.c") == "mailto:a@b.c"


def test_each_ifi_has_its_own_key_and_extra_properties_do_not_matter():
    assert agent_key({"mbox_sha1sum": "ABCDEF"}) == "mbox_sha1sum:abcdef"
    assert agent_key({"openid": "http://id.example.org/1"}) == "openid:http://id.example.org/1"
    account = {"account": {"homePage": "http://lms.example.org", "name": "42"}}
    assert agent_key(account) == "account:http://lms.example.org|42"
    assert agent_key({**account, "name": "Ann", "objectType": "Agent"}) == agent_key(account)


def test_anonymous_group_has_no_key_but_its_members_do():
    group = {
        "objectType": "Group",
        "member": [{"mbox": "mailto:a@example.com"}, {"name": "no ifi"}],
    }
    assert agent_key(group) is None
    assert identity_keys(group) == ["mbox:mailto:a@example.com"]


def test_identified_group_key_comes_first_then_members():
    group = {
        "objectType": "Group",
        "mbox": "mailto:team@example.com",
        "member": [{"openid": "http://o.example/x"}],
    }
    assert identity_keys(group) == ["mbox:mailto:team@example.com", "openid:http://o.example/x"]


def test_account_agent_builds_an_identified_agent():
    agent = account_agent("http://learnloop.example", "user-1", "Ann")
    assert agent == {
        "objectType": "Agent",
        "account": {"homePage": "http://learnloop.example", "name": "user-1"},
        "name": "Ann",
    }
    assert agent_key(agent) == "account:http://learnloop.example|user-1"
