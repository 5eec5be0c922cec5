"""What the payer-standard routes (/cds-services, /fhir) share: their settings, the trusted
clients, the payer map, and the check that a call comes from a trusted client.

| variable | default | meaning |
| --- | --- | --- |
| `DERMCOVER_CDS_CLIENTS_FILE` | none: service calls refused | trusted clients (iss + keys) |
| `DERMCOVER_PAYERS_FILE` | the bundled `interop/payers.yaml` | payer identifiers to packs |
| `DERMCOVER_PUBLIC_URL` | the URL called | public base URL (JWT `aud`, links) |
| `DERMCOVER_INTEROP_INSECURE` | off | development only: no signed JWT needed |
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request

from dermcover.interop.cds_hooks.service import Desk
from dermcover.interop.cds_hooks.trust import CLIENTS_ENV, TrustedClients, Untrusted
from dermcover.interop.pas.operations import stored_decisions
from dermcover.interop.pas.response import ACTIONS
from dermcover.interop.payers import PayerDirectory, payer_directory
from dermcover.store.prior_auths import CoverageAssertions, PriorAuthorizations, PriorAuthView
from dermcover.web.settings import TRUE

if TYPE_CHECKING:
    import httpx  # imported where used: it brings its command-line tool (click, rich)

log = logging.getLogger("dermcover.interop")

INSECURE_ENV = "DERMCOVER_INTEROP_INSECURE"
PUBLIC_URL_ENV = "DERMCOVER_PUBLIC_URL"


@dataclass
class Interop:
    clients: TrustedClients | None
    payers: PayerDirectory
    assertions: CoverageAssertions
    prior_auths: PriorAuthorizations
    public_url: str | None = None
    insecure: bool = False
    transport: httpx.BaseTransport | None = field(default=None, repr=False)

    @classmethod
    def from_env(
        cls,
        assertions: CoverageAssertions,
        prior_auths: PriorAuthorizations,
        environ: Mapping[str, str] | None = None,
    ) -> Interop:
        env = os.environ if environ is None else environ
        clients_file = env.get(CLIENTS_ENV)
        clients = TrustedClients.from_file(Path(clients_file)) if clients_file else None
        insecure = env.get(INSECURE_ENV, "").lower() in TRUE
        if insecure:
            log.warning(
                "%s is on: CDS Hooks and FHIR calls are accepted WITHOUT a signed JWT. "
                "Never run like this with real patient data.",
                INSECURE_ENV,
            )
        return cls(
            clients=clients,
            payers=payer_directory(),
            assertions=assertions,
            prior_auths=prior_auths,
            public_url=(env.get(PUBLIC_URL_ENV) or "").rstrip("/") or None,
            insecure=insecure,
        )

    def base_url(self, request: Request) -> str:
        return self.public_url or str(request.base_url).rstrip("/")

    def desk(self, request: Request, client: str | None = None) -> Desk:
        """What answering needs; `client` (the caller's `iss`) picks the FHIR servers it may
        read from (none in insecure mode: no client, no allow-list)."""
        servers = self.clients.fhir_servers(client) if self.clients is not None else ()
        return Desk(
            self.payers,
            self.assertions,
            self.base_url(request),
            self.transport,
            fhir_servers=servers,
        )

    def caller(self, request: Request, *audiences: str) -> str | None:
        """The trusted client's `iss`, or None in insecure mode; Untrusted otherwise."""
        called = f"{self.base_url(request)}{request.url.path}"
        accepted = [called, called.rstrip("/"), *audiences]
        if self.insecure:
            log.warning(
                "accepting an unauthenticated call to %s (%s is on)", request.url.path, INSECURE_ENV
            )
            return None
        if self.clients is None:
            raise Untrusted(f"no trusted clients are configured (set {CLIENTS_ENV})")
        claims: dict[str, Any] = self.clients.verify(request.headers.get("authorization"), accepted)
        return str(claims["iss"])


def interop(request: Request) -> Interop:
    found: Interop = request.app.state.interop
    return found


@dataclass(frozen=True)
class PriorAuthRow:
    """One prior-authorization record as the case page shows it."""

    reference: str
    status: str
    received: str
    claim: str
    items: list[tuple[int, str, str]]
    trail: list[str]


def prior_auth_rows(found: list[PriorAuthView]) -> list[PriorAuthRow]:
    rows = []
    for record in found:
        decisions = stored_decisions(record.response)
        rows.append(
            PriorAuthRow(
                reference=record.reference,
                status=record.status,
                received=record.created_at.strftime("%Y-%m-%d %H:%M"),
                claim=record.claim_identifier.rsplit("|", 1)[-1],
                items=[(d.sequence, ACTIONS[d.action], d.note) for d in decisions],
                trail=[
                    f"{line.at.strftime('%Y-%m-%d %H:%M')} {line.action} ({line.status})"
                    f"{' by ' + line.client if line.client else ''}"
                    for line in record.log
                ],
            )
        )
    return rows
