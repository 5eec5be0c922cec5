"""Reading what prefetch did not bring from the EHR's FHIR server (`fhirServer`), with the access
token the client gave (`fhirAuthorization`). Prefetch is a hint: it may be partial or absent.

Only a server on the calling client's allow-list (its `fhir_servers` in the trusted-clients file)
is read, and only under that base URL: redirects are never followed, every read is bounded in
size (MAX_BYTES) and all the reads of one call share one time budget (BUDGET_SECONDS).

httpx does the I/O; tests hand in a MockTransport in place of the network.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dermcover.interop.fhir import JsonObject

if TYPE_CHECKING:
    import httpx  # imported where used: it brings its command-line tool (click, rich)

TIMEOUT_SECONDS = 2.0
BUDGET_SECONDS = 4.0
MAX_READS = 12
MAX_BYTES = 1_048_576
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class FetchFailed(Exception):
    """The FHIR server could not be asked, or did not answer usefully."""


class FetchRefused(Exception):
    """The request names a FHIR server this service may not read from; the message says why."""


def fhir_base(server: str) -> str:
    """`server` as a FHIR base URL to compare: https (or http on this machine), no query or
    fragment, no trailing slash, scheme and host in lower case. ValueError says what is wrong."""
    parts = urlsplit(server.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "https" and not (
        parts.scheme.lower() == "http" and host in LOOPBACK
    ):
        raise ValueError("not an https URL (http is allowed only on this machine)")
    if not host or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("give a base URL: a host and a path, no query, fragment or user")
    if ".." in parts.path.split("/"):
        raise ValueError("the path may not contain '..'")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


@dataclass
class FhirFetcher:
    base: str
    token: str | None
    transport: httpx.BaseTransport | None = None
    reads: int = 0
    budget_seconds: float = BUDGET_SECONDS
    max_bytes: int = MAX_BYTES
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.budget_seconds

    @classmethod
    def for_request(
        cls,
        body: dict[str, Any],
        transport: httpx.BaseTransport | None,
        allowed: Sequence[str],
    ) -> FhirFetcher | None:
        """A fetcher for the request's `fhirServer`, or None when it names none; FetchRefused
        when the server is not one of `allowed` (the calling client's base URLs)."""
        server = body.get("fhirServer")
        if not isinstance(server, str) or not server:
            return None
        try:
            base = fhir_base(server)
        except ValueError as exc:
            raise FetchRefused(f"fhirServer {server[:100]!r}: {exc}") from None
        if base not in allowed:
            raise FetchRefused(
                f"fhirServer {server[:100]!r} is not one of this client's fhir_servers"
                if allowed
                else "this client has no fhir_servers configured, so none is read"
            )
        authorization = body.get("fhirAuthorization")
        token = authorization.get("access_token") if isinstance(authorization, dict) else None
        return cls(base, token if isinstance(token, str) else None, transport)

    def get(self, path: str) -> JsonObject | None:
        """GET `{base}/{path}` as FHIR JSON; None for 404/410; FetchFailed otherwise."""
        import httpx

        if self.reads >= MAX_READS:
            raise FetchFailed(f"more than {MAX_READS} reads were needed")
        self.reads += 1
        url = httpx.URL(f"{self.base}/{path.lstrip('/')}")
        if not str(url).startswith(f"{self.base}/"):
            raise FetchFailed(f"{path[:100]!r} is not under {self.base}")
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise FetchFailed(f"{self.base}: the {self.budget_seconds:g} s for reads ran out")
        headers = {"Accept": "application/fhir+json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        timeout = httpx.Timeout(min(TIMEOUT_SECONDS, remaining))
        try:
            with (
                httpx.Client(
                    transport=self.transport, timeout=timeout, follow_redirects=False
                ) as client,
                client.stream("GET", url, headers=headers) as answer,
            ):
                if answer.status_code in (404, 410):
                    return None
                if answer.is_redirect:
                    raise FetchFailed(
                        f"{self.base} answered {answer.status_code} for {path[:100]}; "
                        "redirects are not followed"
                    )
                if answer.status_code != 200:
                    raise FetchFailed(f"{self.base} answered {answer.status_code} for {path[:100]}")
                content = self._read(answer, path)
        except httpx.HTTPError:
            raise FetchFailed(f"{self.base} could not be reached") from None
        try:
            data = httpx.Response(200, content=content).json()
        except ValueError:
            raise FetchFailed(f"{self.base} did not answer JSON for {path[:100]}") from None
        if not isinstance(data, dict):
            raise FetchFailed(f"{self.base} did not answer a FHIR resource for {path[:100]}")
        return data

    def _read(self, answer: httpx.Response, path: str) -> bytes:
        """The body, at most `max_bytes` of it, before the time budget runs out."""
        too_big = FetchFailed(
            f"{self.base}: the answer for {path[:100]} is over {self.max_bytes:,} bytes"
        )
        declared = answer.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        for chunk in answer.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise too_big
            if time.monotonic() > self._deadline:
                raise FetchFailed(f"{self.base}: the {self.budget_seconds:g} s for reads ran out")
            chunks.append(chunk)
        return b"".join(chunks)
