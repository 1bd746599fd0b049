"""Signed Statements (xAPI-Data 2.6).

A signature is an attachment with usageType ``http://adlnet.gov/expapi/attachments/signature``
and contentType ``application/octet-stream`` whose data is a JWS (RFC 7515, compact
serialization) signed with RS256, RS384 or RS512. Its payload is the statement as it was
before the signature was attached. The LRS MUST reject malformed signatures with 400; to
tell, it decodes the JWS, checks the algorithm, checks that the payload is logically
equivalent to the received statement (Data 2.3.1 "Statement Comparison Requirements"),
and, when the JWS header carries an X.509 chain (``x5c``), verifies the signature against
its first certificate. Without ``x5c`` there is no key to verify against; as the spec notes,
this check catches mistakes and is not a security measure.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from typing import Any

import jwt
import orjson
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from learnloop.errors import BadRequest
from learnloop.xapi.attachments import SIGNATURE_USAGE_TYPE, AttachmentPart, normalise_sha2
from learnloop.xapi.statement_shapes import same_statement

SIGNATURE_CONTENT_TYPE = "application/octet-stream"
# The seconds of an ISO 8601 duration, with a fraction (xAPI-Data 4.6).
_DURATION_SECONDS = re.compile(r"(\d+)[.,](\d+)S$")
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")


class InvalidSignature(BadRequest):
    code = "invalid_signature"


def is_signature(attachment: Mapping[str, Any]) -> bool:
    return attachment.get("usageType") == SIGNATURE_USAGE_TYPE


def _decode(token: bytes) -> tuple[dict[str, Any], bytes]:
    """Header and payload of a compact JWS, signature not verified yet."""
    if token.count(b".") != 2:
        raise InvalidSignature(
            "The signature is not a JWS in compact serialization (xAPI-Data 2.6)"
        )
    try:
        decoded = jwt.PyJWS().decode_complete(
            token, algorithms=list(ALLOWED_ALGORITHMS), options={"verify_signature": False}
        )
    except jwt.PyJWTError as exc:
        raise InvalidSignature(f"The signature is not a valid JWS: {exc}") from exc
    header = decoded["header"]
    payload = decoded["payload"]
    if not isinstance(header, dict) or not isinstance(payload, bytes):
        raise InvalidSignature("The signature is not a valid JWS")
    return header, payload


def _certificate_key(header: Mapping[str, Any]) -> RSAPublicKey:
    chain = header.get("x5c")
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise InvalidSignature("The JWS header's x5c must be a list of certificates")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (binascii.Error, ValueError) as exc:
        raise InvalidSignature("The JWS header's x5c certificate cannot be read") from exc
    key = certificate.public_key()
    if not isinstance(key, RSAPublicKey):
        raise InvalidSignature("The x5c certificate does not hold an RSA key")
    return key


def _without_signatures(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement as it was before signing: signature attachments removed, and the
    attachments property itself when nothing else is left in it."""
    result = dict(statement)
    attachments = result.get("attachments")
    if isinstance(attachments, list):
        kept = [a for a in attachments if not (isinstance(a, Mapping) and is_signature(a))]
        if kept:
            result["attachments"] = kept
        else:
            result.pop("attachments")
    return result


def _comparable_duration(duration: str) -> str:
    """xAPI-Data 4.6: "any precision beyond 0.01 second precision SHOULD* NOT be included in
    the comparison" (the statement signing process is its example): truncate to hundredths
    and drop trailing zeros, so "PT0.1237S", "PT0.12S" and "PT0.120S" compare equal."""

    def truncate(match: re.Match[str]) -> str:
        fraction = match.group(2)[:2].rstrip("0")
        return f"{match.group(1)}.{fraction}S" if fraction else f"{match.group(1)}S"

    return _DURATION_SECONDS.sub(truncate, duration)


def _with_comparable_durations(statement: dict[str, Any]) -> dict[str, Any]:
    result = dict(statement)
    outcome = result.get("result")
    if isinstance(outcome, Mapping) and isinstance(outcome.get("duration"), str):
        result["result"] = {**outcome, "duration": _comparable_duration(outcome["duration"])}
    target = result.get("object")
    if isinstance(target, Mapping) and target.get("objectType") == "SubStatement":
        result["object"] = _with_comparable_durations(dict(target))
    return result


def _same_id(signed: Mapping[str, Any], received: Mapping[str, Any]) -> bool:
    # The LRS may assign an id (Data 2.3.1), so one missing from the signed payload is
    # fine; two different ids are not.
    if "id" not in signed or "id" not in received:
        return True
    return str(signed["id"]).lower() == str(received["id"]).lower()


def verify_signature(statement: Mapping[str, Any], token: bytes) -> None:
    header, payload = _decode(token)
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise InvalidSignature(
            f"The JWS algorithm is {algorithm!r}; xAPI-Data 2.6 allows RS256, RS384 or RS512"
        )
    if "x5c" in header:
        try:
            jwt.PyJWS().decode_complete(token, key=_certificate_key(header), algorithms=[algorithm])
        except jwt.PyJWTError as exc:
            raise InvalidSignature(
                "The JWS signature does not verify against its x5c certificate"
            ) from exc
    try:
        signed = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InvalidSignature(
            "The JWS payload is not a valid JSON serialization of the statement (xAPI-Data 2.6)"
        ) from exc
    if not isinstance(signed, dict):
        raise InvalidSignature("The JWS payload is not a statement object (xAPI-Data 2.6)")
    received = _with_comparable_durations(_without_signatures(statement))
    signed = _with_comparable_durations(_without_signatures(signed))
    if not _same_id(signed, received) or not same_statement(signed, received):
        raise InvalidSignature(
            "The signed statement (JWS payload) does not match the statement received "
            "(xAPI-Data 2.6)"
        )


def verify_signed_statements(
    statements: Sequence[Mapping[str, Any]], parts: Mapping[str, AttachmentPart]
) -> None:
    """Check every signature attachment of ``statements`` (400 on the first bad one)."""
    for index, statement in enumerate(statements):
        attachments = statement.get("attachments")
        if not isinstance(attachments, list):
            continue
        for attachment in attachments:
            if not isinstance(attachment, Mapping) or not is_signature(attachment):
                continue
            content_type = str(attachment.get("contentType", ""))
            if content_type.split(";", 1)[0].strip().lower() != SIGNATURE_CONTENT_TYPE:
                raise InvalidSignature(
                    f"Statement {index}: a signature attachment must have contentType "
                    f"application/octet-stream, not {content_type!r} (xAPI-Data 2.6)"
                )
            sha2 = normalise_sha2(str(attachment.get("sha2", "")))
            part = parts.get(sha2) if sha2 is not None else None
            if part is None:
                raise InvalidSignature(
                    f"Statement {index}: the signature's JWS must be sent as a multipart "
                    "part so that it can be verified (xAPI-Data 2.6)"
                )
            verify_signature(statement, part.content)
