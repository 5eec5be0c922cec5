"""The browser tests' machinery: the real service on a free loopback port, and Debian's Chromium
driven by Playwright (never a downloaded browser).

Set DERMCOVER_SCREENSHOTS to a folder to have the browser tests save what they see there
(docs/screenshots holds the project's copies).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]


def start_server(database_url: str, log: Path) -> LiveServer:
    """`dermcover serve` on a free port, one worker process; returns once it answers.

    One worker starts in under half the time two take, and each browser test starts its own
    server. That sessions and answers hold across workers is tests/cli/test_serve.py's to
    check."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DERMCOVER_PLAIN_HTTP": "1",
    }
    command = [str(Path(sys.executable).with_name("dermcover")), "serve", "--port", str(port)]
    command += ["--workers", "1"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return LiveServer(url, process)
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the server did not answer within 60 seconds")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def screenshot(page: Page, name: str) -> None:
    """Save the whole page as NAME.png in $DERMCOVER_SCREENSHOTS, if set."""
    folder = os.environ.get("DERMCOVER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def fits_the_screen(page: Page) -> bool:
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    return viewport is not None and width <= viewport["width"]


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def accessibility_problems(page: Page) -> list[str]:
    """What axe-core finds wrong with the page as it stands, one line a rule (empty: none).

    axe-core comes from npm (package.json; `make test` installs it) and is injected into the
    page; the browser context bypasses the page's content security policy so that it can be.
    """
    if not AXE.exists():
        raise RuntimeError(f"axe-core is not installed ({AXE.name} missing): run `npm ci`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[str] = page.evaluate(
        """async (standards) => {
          const result = await axe.run(document, {runOnly: {type: "tag", values: standards}});
          return result.violations.map((v) => `${v.id}: ${v.help} at ${
            v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
        }""",
        AXE_STANDARDS,
    )
    return found
