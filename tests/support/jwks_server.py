"""A real HTTP server on 127.0.0.1 that serves a JWKS document, and keys to sign with."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


@dataclass
class SigningKeys:
    rsa_private: rsa.RSAPrivateKey
    ec_private: ec.EllipticCurvePrivateKey
    rsa_kid: str = "rsa-1"
    ec_kid: str = "ec-1"

    @classmethod
    def generate(cls) -> SigningKeys:
        return cls(
            rsa_private=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            ec_private=ec.generate_private_key(ec.SECP256R1()),
        )

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = json.loads(RSAAlgorithm.to_jwk(self.rsa_private.public_key()))
        rsa_jwk.update(kid=self.rsa_kid, alg="RS256", use="sig")
        ec_jwk = json.loads(ECAlgorithm.to_jwk(self.ec_private.public_key()))
        ec_jwk.update(kid=self.ec_kid, alg="ES256", use="sig")
        return {"keys": [rsa_jwk, ec_jwk]}


@contextmanager
def serve_jwks(document: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """Serve ``document`` at ``http://127.0.0.1:<port>/jwks.json``; yield the URL and a request log."""
    requests: list[str] = []
    body = json.dumps(document).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            if self.path != "/jwks.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", requests
    finally:
        server.shutdown()
        server.server_close()
