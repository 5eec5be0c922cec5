"""Client trust: only a JWT from a listed issuer, signed with one of its configured keys (ES256,
ES384 or RS384), for this URL, unexpired and never seen before, opens a service call."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dermcover.inputs import InputError
from dermcover.interop.cds_hooks.trust import ClientSpec, TrustedClients, Untrusted

from ..support import INFERNO_ISS, public_jwks, signing_key, token

AUDIENCE = "https://payer.example/cds-services/order-sign"
SANDBOX = "https://sandbox.cds-hooks.org"


@pytest.fixture
def es256() -> tuple[Any, dict[str, Any]]:
    """A key like the CDS Hooks sandbox's (ES256), and its public JWK."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    public.update(kid="sandbox-1", alg="ES256", use="sig")
    return private, public


@pytest.fixture
def clients(es256: tuple[Any, dict[str, Any]]) -> TrustedClients:
    return TrustedClients.from_specs(
        [
            ClientSpec(iss=INFERNO_ISS, jwks=public_jwks()),
            ClientSpec(iss=SANDBOX, jwks={"keys": [es256[1]]}),
        ]
    )


def bearer(value: str) -> str:
    return f"Bearer {value}"


@pytest.mark.parametrize("alg", ["ES384", "RS384"])
def test_the_kits_tokens_are_accepted(clients: TrustedClients, alg: str) -> None:
    claims = clients.verify(bearer(token(AUDIENCE, alg=alg)), [AUDIENCE])
    assert claims["iss"] == INFERNO_ISS


def test_an_es256_token_like_the_sandbox_signs_is_accepted(
    clients: TrustedClients, es256: tuple[Any, dict[str, Any]]
) -> None:
    now = int(time.time())
    claims = {"iss": SANDBOX, "aud": AUDIENCE, "exp": now + 60, "iat": now, "jti": "j1"}
    signed = jwt.encode(claims, es256[0], algorithm="ES256", headers={"kid": "sandbox-1"})
    assert clients.verify(bearer(signed), [AUDIENCE])["iss"] == SANDBOX


def test_a_replayed_token_is_refused(clients: TrustedClients) -> None:
    once = bearer(token(AUDIENCE))
    clients.verify(once, [AUDIENCE])
    with pytest.raises(Untrusted, match="already used"):
        clients.verify(once, [AUDIENCE])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: None, "no bearer token"),
        (lambda: "Bearer not-a-jwt", "not a JWT"),
        (lambda: bearer(token("https://payer.example/cds-services/other")), "Audience"),
        (lambda: bearer(token(AUDIENCE, exp=int(time.time()) - 600)), "expired"),
        (lambda: bearer(token(AUDIENCE, iss="https://stranger.example")), "not a trusted client"),
        (lambda: bearer(token(AUDIENCE, jti=None)), "jti"),
        (lambda: bearer(token(AUDIENCE, exp=int(time.time()) + 86400)), "too long"),
        (
            lambda: bearer(
                jwt.encode(
                    {"iss": INFERNO_ISS, "aud": AUDIENCE, "exp": int(time.time()) + 60, "jti": "x"},
                    "a shared secret that nobody should use",
                    algorithm="HS256",
                    headers={"kid": "k"},
                )
            ),
            "not allowed",
        ),
    ],
)
def test_untrusted_calls_are_refused_with_the_reason(
    clients: TrustedClients, make: Any, message: str
) -> None:
    with pytest.raises(Untrusted, match=message):
        clients.verify(make(), [AUDIENCE])


def test_a_key_the_issuer_does_not_have_is_refused(
    clients: TrustedClients, es256: tuple[Any, dict[str, Any]]
) -> None:
    """A token signed by someone else's key, naming a trusted issuer: the kid is not its."""
    now = int(time.time())
    claims = {"iss": INFERNO_ISS, "aud": AUDIENCE, "exp": now + 60, "jti": uuid.uuid4().hex}
    forged = jwt.encode(claims, es256[0], algorithm="ES256", headers={"kid": "sandbox-1"})
    with pytest.raises(Untrusted, match="kid"):
        clients.verify(bearer(forged), [AUDIENCE])


def test_a_bad_clients_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "clients.json"
    path.write_text(json.dumps({"clients": [{"iss": "https://ehr.example"}]}))
    with pytest.raises(InputError, match="give exactly one of jwks or jwks_url"):
        TrustedClients.from_file(path)
    path.write_text("{not json")
    with pytest.raises(InputError, match="not a trusted-clients file"):
        TrustedClients.from_file(path)


@pytest.fixture
def jwks_server() -> Iterator[str]:
    """The kit's public keys served on a free 127.0.0.1 port, as a client's jwks_url."""
    body = json.dumps(public_jwks()).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()


def test_keys_can_come_from_the_clients_jwks_url(jwks_server: str) -> None:
    clients = TrustedClients.from_specs([ClientSpec(iss=INFERNO_ISS, jwks_url=jwks_server)])
    # the kit's token names its own jku; keys still come only from the configured URL
    with pytest.raises(Untrusted, match="jku"):
        clients.verify(bearer(token(AUDIENCE)), [AUDIENCE])
    key = signing_key("RS384")
    now = int(time.time())
    claims = {"iss": INFERNO_ISS, "aud": AUDIENCE, "exp": now + 60, "jti": uuid.uuid4().hex}
    good = jwt.encode(
        claims, key.key, algorithm="RS384", headers={"kid": key.key_id, "jku": jwks_server}
    )
    assert clients.verify(bearer(good), [AUDIENCE])["iss"] == INFERNO_ISS
