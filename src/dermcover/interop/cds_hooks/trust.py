"""Which calling systems are trusted: each signs a JWT per call (CDS Hooks "Trusting CDS
Clients"), checked here against an allow-list of issuers and their public keys.

The allow-list is a JSON file named by $DERMCOVER_CDS_CLIENTS_FILE:

    {"clients": [{"iss": "https://ehr.example.org", "jwks": {"keys": [...]},
                  "fhir_servers": ["https://ehr.example.org/fhir"]},
                 {"iss": "https://other.example.org", "jwks_url": "https://other.example.org/jwks"}]}

`clinic` names the clinic (its id) whose workspace files the cases this client's PAS requests
make (default: the default clinic); give each EHR its own, and their patients never share one.
`fhir_servers` lists the FHIR base URLs this service may read from when the client's prefetch
falls short (https, or http on this machine); a `fhirServer` not listed is never contacted, and
a client without the list gets no reads at all (412 when prefetch is missing).

A token passes when its algorithm is ES256, ES384 or RS384; its `iss` is listed; its `kid` names
one of that issuer's keys (keys come only from the file or the listed jwks_url, never from a `jku`
the token names for itself); its signature verifies; `aud` is the URL called; `exp` has not
passed; and its `jti` has not been seen before (a replayed token is refused until it expires).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dermcover.inputs import InputError
from dermcover.interop.cds_hooks.fetch import fhir_base
from dermcover.store.clinics import DEFAULT_CLINIC, check_slug

ALGORITHMS = ("ES256", "ES384", "RS384")
CLIENTS_ENV = "DERMCOVER_CDS_CLIENTS_FILE"
LEEWAY_SECONDS = 30
MAX_TOKEN_LIFE_SECONDS = 3600


class Untrusted(Exception):
    """The call does not come from a trusted client; the message says which check failed."""


class ClientSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    iss: str = Field(min_length=1)
    jwks: dict[str, Any] | None = None
    jwks_url: str | None = None
    fhir_servers: list[str] = Field(default_factory=list)
    clinic: str | None = None


class ClientsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    clients: list[ClientSpec]


@dataclass
class TrustedClient:
    iss: str
    keys: jwt.PyJWKSet | None
    fetcher: jwt.PyJWKClient | None
    jwks_url: str | None
    fhir_servers: tuple[str, ...] = ()
    clinic: str = DEFAULT_CLINIC

    def key(self, kid: str) -> Any:
        if self.keys is not None:
            for key in self.keys.keys:
                if key.key_id == kid:
                    return key.key
            raise Untrusted(f"kid {kid[:60]!r} is not one of the keys configured for {self.iss}")
        assert self.fetcher is not None
        try:
            return self.fetcher.get_signing_key(kid).key
        except jwt.PyJWKClientError as exc:
            raise Untrusted(f"kid {kid[:60]!r}: {exc}") from None


@dataclass
class TrustedClients:
    clients: dict[str, TrustedClient]
    _seen: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_specs(cls, specs: Iterable[ClientSpec], source: str = "clients") -> TrustedClients:
        clients: dict[str, TrustedClient] = {}
        for index, spec in enumerate(specs):
            where = f"{source}: clients[{index}] (iss {spec.iss!r})"
            if (spec.jwks is None) == (spec.jwks_url is None):
                raise InputError(f"{where}: give exactly one of jwks or jwks_url")
            keys = None
            if spec.jwks is not None:
                try:
                    keys = jwt.PyJWKSet.from_dict(spec.jwks)
                except jwt.PyJWKSetError as exc:
                    raise InputError(f"{where}: jwks: {exc}") from None
            fetcher = jwt.PyJWKClient(spec.jwks_url, cache_keys=True) if spec.jwks_url else None
            servers = tuple(
                _fhir_base(server, f"{where}: fhir_servers[{n}]")
                for n, server in enumerate(spec.fhir_servers)
            )
            try:
                clinic = check_slug(spec.clinic) if spec.clinic is not None else DEFAULT_CLINIC
            except InputError as exc:
                raise InputError(f"{where}: {exc}") from None
            clients[spec.iss] = TrustedClient(
                spec.iss, keys, fetcher, spec.jwks_url, servers, clinic
            )
        return cls(clients)

    def clinic(self, iss: str | None) -> str:
        """The clinic the client `iss` files its cases in (the default one for no client)."""
        client = self.clients.get(iss) if iss is not None else None
        return client.clinic if client is not None else DEFAULT_CLINIC

    def fhir_servers(self, iss: str | None) -> tuple[str, ...]:
        """The FHIR base URLs the client `iss` lets this service read from (none: no reads)."""
        client = self.clients.get(iss) if iss is not None else None
        return client.fhir_servers if client is not None else ()

    @classmethod
    def from_file(cls, path: Path) -> TrustedClients:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            spec = ClientsFile.model_validate(data)
        except (OSError, ValueError) as exc:
            detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else exc
            raise InputError(f"{path}: not a trusted-clients file: {detail}") from None
        return cls.from_specs(spec.clients, str(path))

    def verify(self, authorization: str | None, audiences: Iterable[str]) -> dict[str, Any]:
        """The token's claims, if it passes every check; else Untrusted naming the first failure."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Untrusted("no bearer token: sign each call with a JWT (CDS Hooks client trust)")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Untrusted(f"the bearer token is not a JWT: {exc}") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise Untrusted(
                f"alg {str(algorithm)[:20]!r} is not allowed; allowed: {', '.join(ALGORITHMS)}"
            )
        issuer = unverified.get("iss")
        client = self.clients.get(issuer) if isinstance(issuer, str) else None
        if client is None:
            raise Untrusted(f"iss {str(issuer)[:100]!r} is not a trusted client")
        jku = header.get("jku")
        if jku is not None and client.jwks_url is not None and jku != client.jwks_url:
            raise Untrusted(f"jku {str(jku)[:100]!r} is not the key set configured for {issuer}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Untrusted("the token's header has no kid")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                client.key(kid),
                algorithms=[algorithm],
                audience=list(audiences),
                issuer=issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "jti"]},
            )
        except jwt.PyJWTError as exc:
            raise Untrusted(f"token refused: {exc}") from None
        self._check_fresh(claims)
        return claims

    def _check_fresh(self, claims: dict[str, Any]) -> None:
        jti, expires = str(claims["jti"]), float(claims["exp"])
        now = time.time()
        if expires - now > MAX_TOKEN_LIFE_SECONDS:
            raise Untrusted(
                f"the token lives too long: exp is over {MAX_TOKEN_LIFE_SECONDS} s ahead"
            )
        with self._lock:
            for seen, until in list(self._seen.items()):
                if until + LEEWAY_SECONDS < now:
                    del self._seen[seen]
            key = f"{claims['iss']}|{jti}"
            if key in self._seen:
                raise Untrusted(f"jti {jti[:60]!r} was already used: a token is good for one call")
            self._seen[key] = expires


def _fhir_base(server: str, where: str) -> str:
    try:
        return fhir_base(server)
    except ValueError as exc:
        raise InputError(f"{where} = {server[:100]!r}: {exc}") from None
