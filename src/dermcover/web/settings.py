"""The service's settings, all in one place, read from the environment once at start-up.

| variable | default | meaning |
| --- | --- | --- |
| `DATABASE_URL` | `dermcover.db` (SQLite) in the data directory | where case records live |
| `DERMCOVER_DATA_DIR` | the platform's user data directory | where that SQLite file is |
| `DERMCOVER_SECRET_KEY` | a random key per process | signs the session cookie |
| `DERMCOVER_SECURE_COOKIES` | off | send the session cookie over HTTPS only |
| `DERMCOVER_MAX_BODY_BYTES` | 1,000,000 | larger request bodies get 413 |
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from dermcover.inputs import MAX_INPUT_BYTES, validate
from dermcover.store.settings import default_database_url

TRUE = frozenset({"1", "true", "yes", "on"})


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    database_url: str = Field(default_factory=default_database_url)
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    secure_cookies: bool = False
    max_body_bytes: int = Field(default=MAX_INPUT_BYTES, ge=1)
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    migrate_on_start: bool = Field(
        default=False, description="Bring the database schema up to date when the app starts."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        values["database_url"] = env.get("DATABASE_URL") or default_database_url(env)
        if env.get("DERMCOVER_SECRET_KEY"):
            values["secret_key"] = env["DERMCOVER_SECRET_KEY"]
        if env.get("DERMCOVER_SECURE_COOKIES"):
            values["secure_cookies"] = env["DERMCOVER_SECURE_COOKIES"].lower() in TRUE
        if env.get("DERMCOVER_MAX_BODY_BYTES"):
            values["max_body_bytes"] = env["DERMCOVER_MAX_BODY_BYTES"]
        return validate(cls, values, "environment")
