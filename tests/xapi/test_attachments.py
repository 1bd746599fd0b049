import hashlib

import orjson
import pytest

from learnloop.xapi.attachments import (
    AttachmentPart,
    InvalidAttachments,
    build_multipart_response,
    check_attachment_data,
    load_attachment_parts,
    parse_multipart,
    parse_statement_request,
    storage_key,
    store_attachment_parts,
)
from learnloop.xapi.statement_attachments import (
    accept_statement_attachments,
    multipart_statements_response,
    read_statement_body,
)
from tests.xapi.conftest import statement

TEXT = b"here is a simple attachment"
TEXT_SHA = hashlib.sha256(TEXT).hexdigest()
BOUNDARY = "abcABC0123'()+_,-./:=?"
CONTENT_TYPE = f'multipart/mixed; boundary="{BOUNDARY}"'


def attachment(sha2=TEXT_SHA, **extra):
    base = {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": "text/plain; charset=ascii",
        "length": len(TEXT),
        "sha2": sha2,
    }
    base.update(extra)
    return base


def multipart(*parts, boundary=BOUNDARY, leading_crlf=False, epilogue=b"\r\n"):
    """parts: (headers dict, bytes)."""
    chunks = [b"\r\n" if leading_crlf else b""]
    for index, (headers, content) in enumerate(parts):
        chunks.append((("\r\n" if index else "") + f"--{boundary}\r\n").encode())
        for name, value in headers.items():
            chunks.append(f"{name}:{value}\r\n".encode())
        chunks.append(b"\r\n")
        chunks.append(content)
    chunks.append(f"\r\n--{boundary}--".encode() + epilogue)
    return b"".join(chunks)


def statement_part(payload):
    return ({"Content-Type": "application/json"}, orjson.dumps(payload))


def text_part(content=TEXT, sha2=TEXT_SHA, **headers):
    base = {
        "Content-Type": "text/plain",
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": sha2,
    }
    base.update(headers)
    return ({k: v for k, v in base.items() if v is not None}, content)


def test_the_spec_example_parses_into_statement_and_part():
    body = multipart(statement_part(statement(attachments=[attachment()])), text_part())
    request = parse_statement_request(CONTENT_TYPE, body)
    assert request.multipart
    assert request.payload["attachments"][0]["sha2"] == TEXT_SHA
    assert request.parts == {TEXT_SHA: AttachmentPart(TEXT_SHA, "text/plain", TEXT)}
    check_attachment_data([request.payload], request.parts)


def test_leading_crlf_preamble_no_trailing_crlf_and_binary_bytes_survive():
    binary = bytes(range(256)) + b"\r\n--not-the-boundary\r\n"
    sha = hashlib.sha512(binary).hexdigest()
    body = multipart(
        statement_part([statement(attachments=[attachment(sha)])]),
        text_part(binary, sha, **{"Content-Type": "application/octet-stream"}),
        leading_crlf=True,
        epilogue=b"",
    )
    request = parse_statement_request("multipart/mixed; boundary=" + '"' + BOUNDARY + '"', body)
    assert request.parts[sha].content == binary


def test_application_json_has_no_parts():
    request = parse_statement_request("application/json; charset=utf-8", orjson.dumps(statement()))
    assert not request.multipart
    assert request.parts == {}


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "text/plain"])
def test_other_content_types_are_400(content_type):
    with pytest.raises(InvalidAttachments):
        parse_statement_request(content_type, b"{}")


def test_missing_boundary_parameter_is_400():
    body = multipart(statement_part(statement()))
    with pytest.raises(InvalidAttachments, match="boundary"):
        parse_statement_request("multipart/mixed", body)


def test_body_without_the_declared_boundary_is_400():
    body = multipart(statement_part(statement()), boundary="other")
    with pytest.raises(InvalidAttachments):
        parse_multipart(CONTENT_TYPE, body)


def test_unclosed_body_is_400():
    body = multipart(statement_part(statement()))
    with pytest.raises(InvalidAttachments, match="not closed"):
        parse_multipart(CONTENT_TYPE, body[: body.rindex(b"--" + BOUNDARY.encode())])


def test_first_part_must_be_json():
    body = multipart(({"Content-Type": "text/plain"}, b"{}"), text_part())
    with pytest.raises(InvalidAttachments, match="first part"):
        parse_multipart(CONTENT_TYPE, body)


def test_part_without_hash_header_is_400():
    body = multipart(statement_part(statement()), text_part(**{"X-Experience-API-Hash": None}))
    with pytest.raises(InvalidAttachments, match="X-Experience-API-Hash"):
        parse_multipart(CONTENT_TYPE, body)


def test_part_whose_bytes_do_not_match_its_hash_is_400():
    body = multipart(statement_part(statement()), text_part(b"other bytes"))
    with pytest.raises(InvalidAttachments, match="does not hash"):
        parse_multipart(CONTENT_TYPE, body)


def test_part_with_base64_transfer_encoding_is_400():
    body = multipart(
        statement_part(statement()), text_part(**{"Content-Transfer-Encoding": "base64"})
    )
    with pytest.raises(InvalidAttachments, match="binary"):
        parse_multipart(CONTENT_TYPE, body)


def test_part_without_transfer_encoding_is_assumed_binary():
    body = multipart(statement_part(statement()), text_part(**{"Content-Transfer-Encoding": None}))
    _, parts = parse_multipart(CONTENT_TYPE, body)
    assert parts[TEXT_SHA].content == TEXT


def test_attachment_without_file_url_or_part_is_400():
    with pytest.raises(InvalidAttachments, match="no fileUrl"):
        check_attachment_data([statement(attachments=[attachment()])], {})


def test_file_url_only_attachments_need_no_parts():
    check_attachment_data(
        [statement(attachments=[attachment(fileUrl="http://example.com/f.txt")])], {}
    )


def test_excess_part_matching_no_attachment_is_400():
    part = AttachmentPart(TEXT_SHA, "text/plain", TEXT)
    with pytest.raises(InvalidAttachments, match="matches no attachment"):
        check_attachment_data([statement()], {TEXT_SHA: part})


def test_statements_split_over_two_json_parts_is_400():
    body = multipart(
        statement_part(statement(attachments=[attachment()])),
        ({"Content-Type": "application/json"}, orjson.dumps(statement())),
        text_part(),
    )
    with pytest.raises(InvalidAttachments):
        parse_multipart(CONTENT_TYPE, body)


def test_one_part_serves_the_same_attachment_in_several_statements():
    body = multipart(
        statement_part(
            [statement(attachments=[attachment()]), statement(attachments=[attachment()])]
        ),
        text_part(),
    )
    request = parse_statement_request(CONTENT_TYPE, body)
    check_attachment_data(request.payload, request.parts)


def test_parts_are_stored_content_addressed_once_and_loaded_back(storage):
    part = AttachmentPart(TEXT_SHA, "text/plain", TEXT)
    store_attachment_parts(storage, {TEXT_SHA: part})
    store_attachment_parts(storage, {TEXT_SHA: part})
    assert storage.list_keys("attachments") == [storage_key(TEXT_SHA)]
    statements = [
        statement(attachments=[attachment()]),
        statement(attachments=[attachment(), attachment("0" * 64, fileUrl="http://example.com/x")]),
    ]
    loaded = load_attachment_parts(storage, statements)
    assert loaded == [AttachmentPart(TEXT_SHA, "text/plain; charset=ascii", TEXT)]


def test_response_round_trips_through_the_request_parser():
    binary = b"\x00\x01--\r\n\xff"
    sha = hashlib.sha256(binary).hexdigest()
    statements = orjson.dumps([statement(attachments=[attachment(), attachment(sha)])])
    parts = [
        AttachmentPart(TEXT_SHA, "text/plain", TEXT),
        AttachmentPart(sha, "application/octet-stream", binary),
    ]
    body, content_type = build_multipart_response(statements, parts)
    assert content_type.startswith("multipart/mixed; boundary=")
    request = parse_statement_request(content_type, body)
    assert orjson.dumps(request.payload) == statements
    assert request.parts[sha].content == binary
    assert request.parts[TEXT_SHA].content_type == "text/plain"


# --- the integration point the Statement resource calls ------------------------------------


def test_statement_attachments_flow_stores_data_and_serves_it_back(storage):
    body = multipart(statement_part(statement(attachments=[attachment()])), text_part())
    request = read_statement_body(CONTENT_TYPE, body)
    accept_statement_attachments(storage, [request.payload], request)
    assert storage.get_bytes(storage_key(TEXT_SHA)) == TEXT
    payload = orjson.dumps({"statements": [request.payload], "more": ""})
    response, content_type = multipart_statements_response(storage, [request.payload], payload)
    back = parse_statement_request(content_type, response)
    assert back.payload["statements"][0]["attachments"][0]["sha2"] == TEXT_SHA
    assert back.parts[TEXT_SHA].content == TEXT


def test_statement_attachments_flow_stores_nothing_when_data_is_missing(storage):
    other = attachment(hashlib.sha256(b"other").hexdigest())
    body = multipart(statement_part(statement(attachments=[attachment(), other])), text_part())
    request = read_statement_body(CONTENT_TYPE, body)
    with pytest.raises(InvalidAttachments):
        accept_statement_attachments(storage, [request.payload], request)
    assert storage.list_keys("attachments") == []
