"""`dermcover serve`: several worker processes behave as one service."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dermcover.cli.serve import server_options

DERMCOVER = str(Path(sys.executable).with_name("dermcover"))
EMAIL, PASSWORD = "robin@clinic.example", "a long enough password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dermcover serve --workers 2` on a free port, with one staff account; its URL."""
    folder = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'service.db'}"}
    subprocess.run(
        [DERMCOVER, "users", "add", EMAIL, "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (folder / "server.log").open("wb")
    command = [DERMCOVER, "serve", "--port", str(port), "--workers", "2", "--plain-http"]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "server.log").read_text()[-2000:])
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/api/v1/policies", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_a_sign_in_holds_on_every_worker(two_workers: str) -> None:
    signed_in = httpx.post(
        two_workers + "/api/v1/session", json={"email": EMAIL, "password": PASSWORD}
    )
    assert signed_in.status_code == 200
    cookies = signed_in.cookies
    # A fresh connection each time, so that both workers get some of the requests.
    statuses = set()
    for _ in range(20):
        with httpx.Client(base_url=two_workers, cookies=cookies) as client:
            statuses.add(client.get("/api/v1/session").status_code)
    assert statuses == {200}


def test_every_worker_gives_the_same_determination(two_workers: str) -> None:
    case = {"procedures": [{"kind": "microneedling"}], "purpose": "appearance"}
    answers = []
    for _ in range(10):
        with httpx.Client(base_url=two_workers) as client:
            response = client.post("/api/v1/determinations", json=case)
        assert response.status_code == 200
        answers.append(response.content)
    assert len(set(answers)) == 1


def test_the_service_runs_on_uvloop_with_httptools() -> None:
    # asyncio's own loop leaves Nagle's algorithm on for the connections of a socket shared by
    # several workers, and every answer then waits ~40 ms for the client's delayed ACK
    # (bench/README.md); uvloop sets TCP_NODELAY on every connection.
    options = server_options("127.0.0.1", 8000, workers=2)
    assert (options["loop"], options["http"]) == ("uvloop", "httptools")


def test_serve_says_which_database_it_uses(tmp_path: Path) -> None:
    # A database that cannot be opened: the service names it, then stops with one line.
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'service.db'}"
    finished = subprocess.run(
        [DERMCOVER, "serve", "--port", str(free_port()), "--plain-http"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 2
    said = " ".join((finished.stdout + finished.stderr).split())
    assert f"database: {url}" in said
    assert f"DATABASE_URL = '{url}': cannot be reached" in said
