"""Helpers the web tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from sqlalchemy.engine import URL

from dermcover.web import Settings, create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STAFF_EMAIL = "robin.billing@clinic.example"
STAFF_PASSWORD = "blue kettle on the stove"


def example(name: str) -> dict[str, Any]:
    """An example case from examples/, as the JSON a client would send."""
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    as_json: dict[str, Any] = json.loads(json.dumps(data, default=str))  # dates as ISO text
    return as_json


def csrf_from(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def make_app(url: URL, **settings: Any) -> FastAPI:
    return create_app(
        Settings(
            database_url=url.render_as_string(hide_password=False),
            **{"plain_http": True, **settings},  # the test client speaks plain HTTP
        )
    )


def pdf_words(content: bytes) -> str:
    """A PDF's words, whitespace collapsed, read back with pdftotext (poppler-utils)."""
    if shutil.which("pdftotext") is None:
        raise AssertionError("pdftotext is missing: run `make` (it installs poppler-utils)")
    read = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(read.stdout.decode("utf-8").split())
