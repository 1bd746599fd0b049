"""Partner LRS passwords sealed at rest.

LearnLoop has to present a pull source's or forwarding target's password (HTTP Basic), so
it cannot keep a hash of it as it does for its own secrets. It keeps it sealed with
AES-256-GCM instead, under a key derived (HKDF-SHA256) from ``credentials_secret``
(``LEARNLOOP_CREDENTIALS_SECRET``, or a random one generated into the data directory),
so a copy of the database alone (a leaked backup, a read-only SQL hole) does not give
the partners' passwords away. Values stored before sealing existed have no prefix and are
read as they are; they are sealed the next time they are written.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from learnloop.errors import ServiceUnavailable

PREFIX = "sealed:v1:"
NONCE_BYTES = 12
KEY_INFO = b"learnloop partner LRS credentials v1"
# Bound to the purpose, so a value sealed here cannot be replayed into another sealed field.
ASSOCIATED_DATA = b"partner-lrs-password"


class CredentialsUnreadable(ServiceUnavailable):
    code = "partner_credentials_unreadable"


def _cipher(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(
        secret.encode()
    )
    return AESGCM(key)


def seal(secret: str, password: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(secret).encrypt(nonce, password.encode(), ASSOCIATED_DATA)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def reveal(secret: str, stored: str) -> str:
    """The password for the request; a value from before sealing is returned as it is."""
    if not is_sealed(stored):
        return stored
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode("ascii"))
        opened = _cipher(secret).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], ASSOCIATED_DATA)
    except (InvalidTag, ValueError, binascii.Error) as exc:
        raise CredentialsUnreadable(
            "A partner LRS password was sealed with another LEARNLOOP_CREDENTIALS_SECRET: "
            "give every process the same one, or enter the password again"
        ) from exc
    return opened.decode()
