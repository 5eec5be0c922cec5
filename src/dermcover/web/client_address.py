"""The client's address, as sign-in throttling counts it.

The connection's peer address, unless that peer is one of the configured trusted proxies
(`DERMCOVER_TRUSTED_PROXIES`): then the right-most address in `X-Forwarded-For` that is not
itself a trusted proxy. Without trusted proxies the header is ignored, since any client can
write it.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.requests import Request

MAX_HEADER = 2000


def client_address(request: Request, trusted_proxies: Collection[str]) -> str | None:
    peer = request.client.host if request.client else None
    if peer is None or peer not in trusted_proxies:
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")[:MAX_HEADER]
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop[:64]
    return peer
