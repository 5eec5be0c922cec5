"""Reading what prefetch did not bring from the EHR's FHIR server (`fhirServer`), with the access
token the client gave (`fhirAuthorization`). Prefetch is a hint: it may be partial or absent.

httpx does the I/O; tests hand in a MockTransport in place of the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from dermcover.interop.fhir import JsonObject

TIMEOUT_SECONDS = 2.0
MAX_READS = 12
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class FetchFailed(Exception):
    """The FHIR server could not be asked, or did not answer usefully."""


@dataclass
class FhirFetcher:
    base: str
    token: str | None
    transport: httpx.BaseTransport | None = None
    reads: int = 0

    @classmethod
    def for_request(
        cls, body: dict[str, Any], transport: httpx.BaseTransport | None
    ) -> FhirFetcher | None:
        server = body.get("fhirServer")
        if not isinstance(server, str) or not server:
            return None
        parts = urlsplit(server)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            return None
        authorization = body.get("fhirAuthorization")
        token = authorization.get("access_token") if isinstance(authorization, dict) else None
        return cls(server.rstrip("/"), token if isinstance(token, str) else None, transport)

    def get(self, path: str) -> JsonObject | None:
        """GET `{base}/{path}` as FHIR JSON; None for 404/410; FetchFailed otherwise."""
        if self.reads >= MAX_READS:
            raise FetchFailed(f"more than {MAX_READS} reads were needed")
        self.reads += 1
        headers = {"Accept": "application/fhir+json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            with httpx.Client(transport=self.transport, timeout=TIMEOUT_SECONDS) as client:
                answer = client.get(f"{self.base}/{path.lstrip('/')}", headers=headers)
        except httpx.HTTPError:
            raise FetchFailed(f"{self.base} could not be reached") from None
        if answer.status_code in (404, 410):
            return None
        if answer.status_code != 200:
            raise FetchFailed(f"{self.base} answered {answer.status_code} for {path}")
        try:
            data = answer.json()
        except ValueError:
            raise FetchFailed(f"{self.base} did not answer JSON for {path}") from None
        if not isinstance(data, dict):
            raise FetchFailed(f"{self.base} did not answer a FHIR resource for {path}")
        return data
