"""Browser tests: a real server process and Debian's Chromium driven by Playwright.

Run with ``make e2e`` (it installs chromium, playwright and axe-core first). ``make test``
does not collect this folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from bench.serverproc import wait_for_health
from tests.mailsink import MailSink

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
ADMIN = ("admin@e2e.example", "e2e admin password")
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(__file__).parents[2] / "var" / "screenshots"))


@dataclass(frozen=True)
class Live:
    url: str
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_env() -> dict[str, str]:
    """More environment for the live server; a test module overrides this fixture (e.g.
    with :func:`mail_env` to read the mail it sends)."""
    return {}


@pytest.fixture
def sink() -> Iterator[MailSink]:
    """A real SMTP server whose mail the test reads."""
    with MailSink() as s:
        yield s


def mail_env(sink: MailSink) -> dict[str, str]:
    """The live server sends its mail to ``sink`` at once, with a worker of its own."""
    return {
        "SMTP_URL": sink.url,
        "SMTP_FROM": "jobs@e2e.example",
        "WORKER_IN_SERVE": "1",
        "WORKER_POLL_MS": "200",
        "MAIL_RATE": "0",
    }


@pytest.fixture
def live_server(tmp_path: Path, clean: None, live_env: dict[str, str]) -> Iterator[Live]:
    """``assess serve`` on a free port over the test database (emptied by ``clean``)."""
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "ADMIN_EMAIL": ADMIN[0],
        "ADMIN_PASSWORD": ADMIN[1],
        "VAR_DIR": str(tmp_path),
        "DEMO": "1",
        **live_env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_for_health(url, lambda: proc.poll() is None, 60):
        proc.kill()
        pytest.fail(f"server did not start: {proc.stdout.read() if proc.stdout else ''}")
        time.sleep(0.2)
    yield Live(url, proc)
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make e2e`, which installs it")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        await b.close()


async def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page (rule ids)."""
    await page.add_script_tag(content=AXE.read_text())
    result = await page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa']})"
    )
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


# ---- shared helpers for the end-to-end and report tests -----------------------------------


def demo_login(var_dir: Path, role: str) -> tuple[str, str]:
    """The e-mail and password of the demo ``role`` (admin, recruiter, coach)."""
    for line in (var_dir / "demo-logins.txt").read_text().splitlines():
        if line.startswith(role):
            email, password = line.split("\t")[1:3]
            return email, password
    raise AssertionError(f"no demo login for {role}")


async def log_in(page: Page, live: Live, email: str, password: str) -> None:
    """Log in through the login page and wait for the staff home."""
    await page.goto(f"{live.url}/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{live.url}/app")


def api_client(live: Live, email: str, password: str) -> httpx.Client:
    """An httpx client with a staff session (for ids and set-up the pages do not show)."""
    client = httpx.Client(base_url=live.url, timeout=60)
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return client


def pdf_text(data: bytes) -> str:
    """The words of a PDF by poppler's ``pdftotext -raw`` (content order), joined by single
    spaces, so that a name wrapped inside a table cell still reads as one phrase."""
    assert data[:5] == b"%PDF-", data[:40]
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-raw", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return " ".join(out.stdout.decode("utf-8").split())


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG from its IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


class ConsoleErrors(list):
    """Console errors and uncaught page errors of a page (CSP refusals are console errors)."""

    def __init__(self, page: Page) -> None:
        super().__init__()
        page.on("console", lambda m: self.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.append(f"pageerror: {e}"))
