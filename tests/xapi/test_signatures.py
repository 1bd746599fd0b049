import base64
import hashlib
from datetime import UTC, datetime, timedelta

import jwt
import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from learnloop.xapi.attachments import SIGNATURE_USAGE_TYPE, AttachmentPart
from learnloop.xapi.signatures import InvalidSignature, verify_signature, verify_signed_statements
from tests.xapi.conftest import statement

STATEMENT_ID = "4f1e5a4e-3b2c-4d5e-8f9a-0b1c2d3e4f50"


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate_b64(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xAPI signer")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def sign(payload, key, algorithm="RS256", headers=None):
    raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return jwt.PyJWS().encode(raw, key, algorithm=algorithm, headers=headers).encode()


def signed(original, token, content_type="application/octet-stream"):
    """The statement as sent: the original plus its signature attachment, and the part."""
    sha2 = hashlib.sha256(token).hexdigest()
    sent = dict(original)
    sent["attachments"] = [
        *original.get("attachments", []),
        {
            "usageType": SIGNATURE_USAGE_TYPE,
            "display": {"en-US": "Signature"},
            "contentType": content_type,
            "length": len(token),
            "sha2": sha2,
        },
    ]
    return sent, {sha2: AttachmentPart(sha2, content_type, token)}


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_rsa_signatures_with_matching_payload_are_accepted(rsa_key, algorithm):
    original = statement(id=STATEMENT_ID)
    sent, parts = signed(original, sign(original, rsa_key, algorithm))
    verify_signed_statements([sent], parts)


def test_payload_may_differ_in_serialisation_and_lrs_set_properties(rsa_key):
    original = statement()
    sent, parts = signed(original, sign(original, rsa_key))
    sent = {**sent, "id": STATEMENT_ID, "verb": {**sent["verb"], "display": {"fr": "terminé"}}}
    verify_signed_statements([sent], parts)


def test_other_attachments_stay_part_of_the_signed_statement(rsa_key):
    file_attachment = {
        "usageType": "http://example.com/usage",
        "display": {"en-US": "file"},
        "contentType": "text/plain",
        "length": 1,
        "sha2": "a" * 64,
        "fileUrl": "http://example.com/f",
    }
    original = statement(attachments=[file_attachment])
    sent, parts = signed(original, sign(original, rsa_key))
    verify_signed_statements([sent], parts)
    unsigned_extra = {
        **sent,
        "attachments": [*sent["attachments"], {**file_attachment, "sha2": "b" * 64}],
    }
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_signed_statements([unsigned_extra], parts)


@pytest.mark.parametrize(
    ("signed_duration", "sent_duration"),
    [("P1DT12H36M0.12S", "P1DT12H36M0.1237S"), ("PT1.1S", "PT1.10S"), ("PT3S", "PT3.004S")],
)
def test_durations_compare_to_the_hundredth_of_a_second(rsa_key, signed_duration, sent_duration):
    original = statement(result={"duration": signed_duration})
    sent, parts = signed(original, sign(original, rsa_key))
    sent = {**sent, "result": {"duration": sent_duration}}
    verify_signed_statements([sent], parts)


def test_durations_that_differ_in_the_hundredths_do_not_match(rsa_key):
    original = statement(result={"duration": "PT0.12S"})
    sent, parts = signed(original, sign(original, rsa_key))
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_signed_statements([{**sent, "result": {"duration": "PT0.13S"}}], parts)


@pytest.mark.parametrize(
    "change",
    [
        {"verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}},
        {"result": {"success": True}},
        {"id": "00000000-0000-4000-8000-000000000000"},
        {"actor": {"mbox": "mailto:mallory@example.com"}},
    ],
)
def test_a_statement_that_differs_from_its_signed_payload_is_400(rsa_key, change):
    original = statement(id=STATEMENT_ID)
    sent, parts = signed(original, sign(original, rsa_key))
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_signed_statements([{**sent, **change}], parts)


def test_another_algorithm_is_400():
    original = statement()
    token = sign(original, "a-shared-secret-that-is-long-enough-for-hs256", "HS256")
    sent, parts = signed(original, token)
    with pytest.raises(InvalidSignature, match="RS256"):
        verify_signed_statements([sent], parts)


def test_elliptic_curve_algorithm_is_400():
    original = statement()
    token = sign(original, ec.generate_private_key(ec.SECP256R1()), "ES256")
    sent, parts = signed(original, token)
    with pytest.raises(InvalidSignature):
        verify_signed_statements([sent], parts)


def test_payload_that_is_not_json_is_400(rsa_key):
    original = statement()
    broken = orjson.dumps(original).replace(b'"', b"'", 1)
    sent, parts = signed(original, sign(broken, rsa_key))
    with pytest.raises(InvalidSignature, match="JSON"):
        verify_signed_statements([sent], parts)


@pytest.mark.parametrize("token", [b"not a jws", b"a.b.c", b"!!!.???.***"])
def test_garbage_instead_of_a_jws_is_400(token):
    original = statement()
    sent, parts = signed(original, token)
    with pytest.raises(InvalidSignature):
        verify_signed_statements([sent], parts)


def test_signature_attachment_with_other_content_type_is_400(rsa_key):
    original = statement()
    sent, parts = signed(
        original, sign(original, rsa_key), content_type="text/plain; charset=ascii"
    )
    with pytest.raises(InvalidSignature, match="application/octet-stream"):
        verify_signed_statements([sent], parts)


def test_signature_without_its_data_is_400(rsa_key):
    original = statement()
    sent, _parts = signed(original, sign(original, rsa_key))
    with pytest.raises(InvalidSignature, match="multipart"):
        verify_signed_statements([sent], {})


def test_x5c_signature_verifies_against_its_certificate(rsa_key):
    original = statement()
    token = sign(original, rsa_key, "RS384", headers={"x5c": [certificate_b64(rsa_key)]})
    verify_signature(signed(original, token)[0], token)


def test_x5c_of_another_key_is_400(rsa_key, other_rsa_key):
    original = statement()
    token = sign(original, rsa_key, headers={"x5c": [certificate_b64(other_rsa_key)]})
    with pytest.raises(InvalidSignature, match="x5c"):
        verify_signature(signed(original, token)[0], token)


def test_unreadable_x5c_is_400(rsa_key):
    original = statement()
    token = sign(original, rsa_key, headers={"x5c": ["bm90IGEgY2VydA=="]})
    with pytest.raises(InvalidSignature, match="x5c"):
        verify_signature(signed(original, token)[0], token)


def test_statements_without_signatures_pass():
    verify_signed_statements([statement(), statement(attachments=[])], {})
