import hashlib
import threading
from datetime import timedelta

import orjson
import pytest
from sqlalchemy import func, select

from learnloop.xapi.document_models import XapiDocument
from learnloop.xapi.document_store import (
    DocumentConflict,
    DocumentContext,
    DocumentNotMergeable,
    DocumentPreconditionFailed,
    DocumentPreconditionRequired,
    DocumentResource,
    Preconditions,
    content_etag,
    delete_document,
    delete_documents,
    get_document,
    list_document_ids,
    post_document,
    put_document,
)

NONE = Preconditions()
STATE = DocumentContext(
    DocumentResource.STATE,
    activity_id="http://example.com/activity",
    agent_key="mbox:mailto:ann@example.com",
)
PROFILE = DocumentContext(DocumentResource.ACTIVITY_PROFILE, activity_id="http://example.com/a")


def must_get(session, context, doc_id):
    stored = get_document(session, context, doc_id)
    assert stored is not None
    return stored


def put(session, context, doc_id, content, content_type="application/json", pre=NONE, strict=False):
    return put_document(
        session, context, doc_id, content, content_type, pre, require_precondition=strict
    )


def test_put_then_get_returns_the_bytes_and_content_type_unchanged(session):
    content = b"\x00\xffbinary \xe2\x98\x83 bytes"
    put(session, STATE, "s1", content, "application/x-custom; charset=binary")
    stored = must_get(session, STATE, "s1")
    assert stored is not None
    assert stored.content == content
    assert stored.content_type == "application/x-custom; charset=binary"
    assert stored.etag == hashlib.sha1(content).hexdigest()


def test_put_without_content_type_stores_octet_stream(session):
    put(session, STATE, "s1", b"abc", None)
    assert must_get(session, STATE, "s1").content_type == "application/octet-stream"


def test_documents_are_scoped_by_resource_activity_agent_and_registration(session):
    other_agent = DocumentContext(
        DocumentResource.STATE, activity_id=STATE.activity_id, agent_key="mbox:mailto:bob@x.org"
    )
    with_registration = DocumentContext(
        DocumentResource.STATE,
        activity_id=STATE.activity_id,
        agent_key=STATE.agent_key,
        registration="6f3c5f1a-3c0e-4a47-8f0e-2a4e8d2f5a11",
    )
    put(session, STATE, "s1", b"1")
    put(session, other_agent, "s1", b"2")
    put(session, with_registration, "s1", b"3")
    put(session, PROFILE, "s1", b"4")
    assert must_get(session, STATE, "s1").content == b"1"
    assert must_get(session, other_agent, "s1").content == b"2"
    assert must_get(session, with_registration, "s1").content == b"3"
    assert must_get(session, PROFILE, "s1").content == b"4"


def test_context_parts_cannot_be_shifted_into_each_other(session):
    first = DocumentContext(DocumentResource.STATE, activity_id="ab", agent_key="c")
    second = DocumentContext(DocumentResource.STATE, activity_id="a", agent_key="bc")
    assert first.context_hash != second.context_hash


def test_get_missing_document_is_none(session):
    assert get_document(session, STATE, "nope") is None


def test_list_ids_with_since_is_exclusive_and_reports_last_modified(session):
    put(session, STATE, "a", b"1")
    first = must_get(session, STATE, "a")
    put(session, STATE, "b", b"2")
    listing = list_document_ids(session, STATE)
    assert listing.ids == ["a", "b"]
    assert listing.last_modified == must_get(session, STATE, "b").updated
    after_first = list_document_ids(session, STATE, since=first.updated)
    assert "a" not in after_first.ids
    assert list_document_ids(session, STATE, since=first.updated - timedelta(seconds=1)).ids == [
        "a",
        "b",
    ]


def test_list_ids_of_an_empty_context_is_empty(session):
    listing = list_document_ids(session, STATE)
    assert listing.ids == []
    assert listing.last_modified is None


def test_put_replaces_state_without_preconditions_when_not_strict(session):
    put(session, STATE, "s1", b"old")
    put(session, STATE, "s1", b"new", "text/plain")
    stored = must_get(session, STATE, "s1")
    assert (stored.content, stored.content_type) == (b"new", "text/plain")


def test_strict_put_on_existing_document_without_precondition_is_409_and_changes_nothing(session):
    put(session, PROFILE, "p", b"old", strict=True)
    with pytest.raises(DocumentConflict) as error:
        put(session, PROFILE, "p", b"new", strict=True)
    assert "If-Match" in error.value.message
    assert must_get(session, PROFILE, "p").content == b"old"


def test_strict_put_creates_a_new_document_without_precondition(session):
    put(session, PROFILE, "p", b"first", strict=True)
    assert must_get(session, PROFILE, "p").content == b"first"


def test_put_that_must_carry_a_precondition_to_create_is_400_without_one(session):
    with pytest.raises(DocumentPreconditionRequired):
        put_document(
            session,
            PROFILE,
            "p",
            b"x",
            None,
            NONE,
            require_precondition=True,
            precondition_required_to_create=True,
        )
    assert get_document(session, PROFILE, "p") is None
    put_document(
        session,
        PROFILE,
        "p",
        b"x",
        None,
        Preconditions(if_none_match="*"),
        require_precondition=True,
        precondition_required_to_create=True,
    )
    assert must_get(session, PROFILE, "p").content == b"x"


def test_put_with_matching_if_match_replaces(session):
    put(session, PROFILE, "p", b"old", strict=True)
    etag = content_etag(b"old")
    put(session, PROFILE, "p", b"new", pre=Preconditions(if_match=f'"{etag}"'), strict=True)
    assert must_get(session, PROFILE, "p").content == b"new"


@pytest.mark.parametrize("header", ['"1234"', '"abc", W/"def"'])
def test_put_with_stale_if_match_is_412_and_changes_nothing(session, header):
    put(session, PROFILE, "p", b"old")
    with pytest.raises(DocumentPreconditionFailed):
        put(session, PROFILE, "p", b"new", pre=Preconditions(if_match=header), strict=True)
    assert must_get(session, PROFILE, "p").content == b"old"


def test_if_match_among_several_tags_and_star_match(session):
    put(session, PROFILE, "p", b"old")
    etag = content_etag(b"old")
    put(session, PROFILE, "p", b"mid", pre=Preconditions(if_match=f'"zzz", W/"{etag}"'))
    put(session, PROFILE, "p", b"new", pre=Preconditions(if_match="*"))
    assert must_get(session, PROFILE, "p").content == b"new"


def test_if_match_on_a_missing_document_is_412(session):
    with pytest.raises(DocumentPreconditionFailed):
        put(session, PROFILE, "p", b"new", pre=Preconditions(if_match="*"))
    assert get_document(session, PROFILE, "p") is None


def test_if_none_match_star_creates_only_when_absent(session):
    put(session, PROFILE, "p", b"first", pre=Preconditions(if_none_match="*"), strict=True)
    with pytest.raises(DocumentPreconditionFailed):
        put(session, PROFILE, "p", b"second", pre=Preconditions(if_none_match="*"), strict=True)
    assert must_get(session, PROFILE, "p").content == b"first"


def test_post_to_missing_document_stores_it_as_put_would(session):
    post_document(session, STATE, "s", b'{"a": 1}', "application/json", NONE)
    assert orjson.loads(must_get(session, STATE, "s").content) == {"a": 1}


@pytest.mark.parametrize("posted", [b'{"a": 1}[', b"[1, 2]", b'"text"'])
def test_post_of_json_that_is_not_an_object_to_a_new_document_is_400(session, posted):
    with pytest.raises(DocumentNotMergeable):
        post_document(session, STATE, "s", posted, "application/json", NONE)
    assert get_document(session, STATE, "s") is None


def test_post_of_a_non_json_document_to_a_new_address_stores_it(session):
    post_document(session, STATE, "s", b"\x00raw", "application/octet-stream", NONE)
    assert must_get(session, STATE, "s").content == b"\x00raw"


def test_post_merges_top_level_properties_only(session):
    put(session, STATE, "s", b'{"x": "foo", "y": "bar", "deep": {"keep": 1}}')
    post_document(
        session,
        STATE,
        "s",
        b'{"x": "bash", "z": "faz", "deep": {"new": 2}}',
        "application/json",
        NONE,
    )
    stored = must_get(session, STATE, "s")
    assert orjson.loads(stored.content) == {
        "x": "bash",
        "y": "bar",
        "z": "faz",
        "deep": {"new": 2},
    }
    assert stored.content_type == "application/json"
    assert stored.etag == content_etag(stored.content)


def test_post_accepts_json_content_type_with_charset(session):
    put(session, STATE, "s", b'{"a": 1}', "application/json; charset=utf-8")
    post_document(session, STATE, "s", b'{"b": 2}', "Application/JSON; charset=UTF-8", NONE)
    assert orjson.loads(must_get(session, STATE, "s").content) == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    ("stored", "stored_type", "posted", "posted_type"),
    [
        (b'{"a": 1}', "application/json", b"abcdefg", "not/json"),
        (b"/ asdf / undefined", "application/octet-stream", b'{"a": 2}', "application/json"),
        (b'{"a": 1}', "application/json", b'{"a": 2}{', "application/json"),
        (b'{"a": 1}', "application/json", b"[1, 2]", "application/json"),
        (b"[1]", "application/json", b'{"a": 2}', "application/json"),
        (b"not json", "application/json", b'{"a": 2}', "application/json"),
    ],
)
def test_post_merge_with_a_non_json_side_is_400_and_changes_nothing(
    session, stored, stored_type, posted, posted_type
):
    put(session, STATE, "s", stored, stored_type)
    with pytest.raises(DocumentNotMergeable):
        post_document(session, STATE, "s", posted, posted_type, NONE)
    kept = must_get(session, STATE, "s")
    assert (kept.content, kept.content_type) == (stored, stored_type)


def test_post_with_stale_if_match_is_412(session):
    put(session, PROFILE, "p", b'{"a": 1}')
    with pytest.raises(DocumentPreconditionFailed):
        post_document(
            session, PROFILE, "p", b'{"a": 2}', "application/json", Preconditions(if_match='"1"')
        )
    assert must_get(session, PROFILE, "p").content == b'{"a": 1}'


def test_delete_one_document(session):
    put(session, STATE, "a", b"1")
    put(session, STATE, "b", b"2")
    assert delete_document(session, STATE, "a", NONE) is True
    assert get_document(session, STATE, "a") is None
    assert get_document(session, STATE, "b") is not None
    assert delete_document(session, STATE, "a", NONE) is False


def test_delete_with_stale_if_match_is_412_and_keeps_the_document(session):
    put(session, PROFILE, "p", b"1")
    with pytest.raises(DocumentPreconditionFailed):
        delete_document(session, PROFILE, "p", Preconditions(if_match='"1234"'))
    assert get_document(session, PROFILE, "p") is not None
    delete_document(session, PROFILE, "p", Preconditions(if_match=f'"{content_etag(b"1")}"'))
    assert get_document(session, PROFILE, "p") is None


def test_delete_all_state_of_a_context_leaves_other_contexts(session):
    other = DocumentContext(
        DocumentResource.STATE,
        activity_id=STATE.activity_id,
        agent_key=STATE.agent_key,
        registration="6f3c5f1a-3c0e-4a47-8f0e-2a4e8d2f5a11",
    )
    put(session, STATE, "a", b"1")
    put(session, STATE, "b", b"2")
    put(session, other, "a", b"3")
    assert delete_documents(session, STATE) == 2
    assert list_document_ids(session, STATE).ids == []
    assert list_document_ids(session, other).ids == ["a"]
    assert session.scalar(select(func.count()).select_from(XapiDocument)) == 1


def test_concurrent_creates_of_one_document_keep_the_first_and_refuse_the_second(
    committed_database,
):
    """Two requests create the same document with If-None-Match: *: whatever the
    interleaving, one wins and the other gets 409/412, never a silent overwrite."""
    create_only = Preconditions(if_none_match="*")
    first = committed_database.session()
    put_document(first, PROFILE, "race", b"first", None, create_only, require_precondition=True)
    outcome: list[BaseException | None] = []

    def second_request() -> None:
        with committed_database.session() as second:
            try:
                put_document(
                    second, PROFILE, "race", b"second", None, create_only, require_precondition=True
                )
                second.commit()
                outcome.append(None)
            except (DocumentConflict, DocumentPreconditionFailed) as error:
                second.rollback()
                outcome.append(error)

    thread = threading.Thread(target=second_request)
    thread.start()
    thread.join(timeout=0.5)  # the second request waits on the first one's row or lock
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], DocumentConflict | DocumentPreconditionFailed)
    with committed_database.session() as check:
        assert must_get(check, PROFILE, "race").content == b"first"
