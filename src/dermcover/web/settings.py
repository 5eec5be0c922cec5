"""The service's settings, all in one place, read from the environment once at start-up.

| variable | default | meaning |
| --- | --- | --- |
| `DATABASE_URL` | `dermcover.db` (SQLite) in the data directory | where case records live |
| `DERMCOVER_DATA_DIR` | the platform's user data directory | where that SQLite file is |
| `DERMCOVER_PLAIN_HTTP` | off | development only, see below |
| `DERMCOVER_SESSION_IDLE_MINUTES` | 30 | a staff session unused this long ends |
| `DERMCOVER_SESSION_HOURS` | 12 | a staff session ends this long after sign-in, however busy |
| `DERMCOVER_TRUSTED_PROXIES` | none | reverse proxies (comma-separated addresses) |
| `DERMCOVER_MAX_BODY_BYTES` | 1,000,000 | larger request bodies get 413 |
| `DERMCOVER_REQUEST_SECONDS` | 20 | a request unanswered this long gets 503 with Retry-After |
| `DERMCOVER_HEAVY_PROCESSES` | 1 | helper processes for heavy work, per server process; 0: none |
| `DERMCOVER_HEAVY_WAITING` | 4 | heavy requests that may wait for one; more get 503 + Retry-After |

`DERMCOVER_PLAIN_HTTP` says the service is reached over plain HTTP on loopback, so its cookies
go without `Secure`; `dermcover serve` refuses it on any other address. Only a request from a
trusted proxy has its `X-Forwarded-For` believed as the client's address.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from dermcover.inputs import MAX_INPUT_BYTES, validate
from dermcover.store.settings import default_database_url

TRUE = frozenset({"1", "true", "yes", "on"})

_ENVIRONMENT = {
    "DERMCOVER_PLAIN_HTTP": "plain_http",
    "DERMCOVER_SESSION_IDLE_MINUTES": "session_idle_minutes",
    "DERMCOVER_SESSION_HOURS": "session_hours",
    "DERMCOVER_TRUSTED_PROXIES": "trusted_proxies",
    "DERMCOVER_MAX_BODY_BYTES": "max_body_bytes",
    "DERMCOVER_REQUEST_SECONDS": "request_seconds",
    "DERMCOVER_HEAVY_PROCESSES": "heavy_processes",
    "DERMCOVER_HEAVY_WAITING": "heavy_waiting",
}


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = Field(default_factory=default_database_url)
    plain_http: bool = Field(
        default=False,
        description="Development over http://127.0.0.1: cookies without the Secure flag.",
    )
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_hours: int = Field(default=12, ge=1, le=24 * 7)
    trusted_proxies: frozenset[str] = frozenset()
    max_body_bytes: int = Field(default=MAX_INPUT_BYTES, ge=1)
    request_seconds: float = Field(default=20.0, gt=0, le=600)
    heavy_processes: int = Field(default=1, ge=0, le=16)
    heavy_waiting: int = Field(default=4, ge=0, le=1000)
    migrate_on_start: bool = Field(
        default=False, description="Bring the database schema up to date when the app starts."
    )

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_absolute(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for variable, field in _ENVIRONMENT.items():
            text = env.get(variable, "").strip()
            if not text:
                continue
            if field == "plain_http":
                values[field] = text.lower() in TRUE
            elif field == "trusted_proxies":
                values[field] = frozenset(p.strip() for p in text.split(",") if p.strip())
            else:
                values[field] = text
        values["database_url"] = env.get("DATABASE_URL") or default_database_url(env)
        return validate(cls, values, "environment")
