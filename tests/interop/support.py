"""Helpers the interop tests share: the kits' files, signed tokens, a stand-in EHR FHIR server."""

from __future__ import annotations

import copy
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt

KITS = Path(__file__).resolve().parent / "kits"
CRD = KITS / "crd" / "original"
PAS = KITS / "pas" / "original"
INFERNO_ISS = "https://inferno.healthit.gov/suites/custom/crd_server"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def crd(name: str) -> dict[str, Any]:
    found: dict[str, Any] = load(CRD / name)
    return found


def pas(name: str) -> Any:
    return load(PAS / name)


def inferno_keys() -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = load(KITS / "crd" / "inferno_test_jwks.json")["keys"]
    return keys


def public_jwks() -> dict[str, Any]:
    """The kit's public keys only, as a payer would configure them."""
    return {"keys": [k for k in inferno_keys() if "d" not in k]}


def signing_key(alg: str) -> Any:
    private = next(k for k in inferno_keys() if "d" in k and k["alg"] == alg)
    return jwt.PyJWK.from_dict(private)


def token(audience: str, *, alg: str = "ES384", iss: str = INFERNO_ISS, **claims: Any) -> str:
    """A JWT as Inferno signs one: kid, jku, typ in the header; iss, aud, exp, iat, jti."""
    key = signing_key(alg)
    now = int(time.time())
    payload = {"iss": iss, "aud": audience, "exp": now + 300, "iat": now, "jti": uuid.uuid4().hex}
    payload.update(claims)
    headers = {"kid": key.key_id, "typ": "JWT", "jku": f"{INFERNO_ISS}/jwks.json"}
    return jwt.encode(payload, key.key, algorithm=alg, headers=headers)


# The FHIR servers the kits' requests name, which the kit's client lets the service read from.
KIT_FHIR_SERVERS = ["https://inferno.healthit.gov/reference-server/r4", "https://example/r4"]


def clients_file(path: Path) -> Path:
    target = path / "clients.json"
    client = {"iss": INFERNO_ISS, "jwks": public_jwks(), "fhir_servers": KIT_FHIR_SERVERS}
    target.write_text(json.dumps({"clients": [client]}))
    return target


class StandInEhr:
    """The EHR's FHIR server: answers reads and Coverage searches from the resources it holds,
    and records the token each request carried."""

    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self.resources = {f"{r['resourceType']}/{r['id']}": r for r in resources}
        self.tokens: list[str | None] = []
        self.paths: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.tokens.append(request.headers.get("authorization"))
        path = request.url.path.split("/r4/", 1)[-1].split("/fhir/", 1)[-1]
        self.paths.append(path)
        if path == "Coverage":
            patient = request.url.params.get("patient")
            found = [
                r
                for r in self.resources.values()
                if r["resourceType"] == "Coverage"
                and r.get("beneficiary", {}).get("reference") == f"Patient/{patient}"
            ]
            bundle = {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": r} for r in found],
            }
            return httpx.Response(200, json=bundle)
        resource = self.resources.get(path)
        if resource is None:
            return httpx.Response(404, json={"resourceType": "OperationOutcome", "issue": []})
        return httpx.Response(200, json=resource)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def deep(value: Any) -> Any:
    return copy.deepcopy(value)
