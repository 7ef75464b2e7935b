"""Real server processes on loopback ports (gunicorn + gevent), for socket and browser tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Ask the OS for an unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """One gunicorn process serving the app with the test configuration."""

    config: dict
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    # Test-only faults and nudges installed in the server process (tests/live_hooks.py).
    hooks: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> LiveServer:
        """Start the process and wait until /healthz answers."""
        env = {**os.environ, "FORUM_LIVE_CONFIG": json.dumps(self.config),
               "BIND": f"127.0.0.1:{self.port}", "ACCESS_LOG": "", "LOG_LEVEL": "warning",
               "FORUM_LIVE_HOOKS": json.dumps(self.hooks)}
        self.log_path = Path(self.config.get("LOG_DIR", "/tmp")) / f"live-{self.port}.log"
        log = open(self.log_path, "w")  # noqa: SIM115 - kept open for the process lifetime
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "tests.live_app:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes the worker too
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"live server exited:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"live server did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Kill the server abruptly, as a crash would: the master AND its worker (an orphaned
        worker would otherwise keep serving its sockets until it notices its parent is gone)."""
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it died by itself meanwhile
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text() if self.log_path else ""


def login_session(server: LiveServer, email: str, password: str) -> requests.Session:
    """A requests session logged in through the real form (with its CSRF token)."""
    import re

    session = requests.Session()
    page = session.get(server.url + "/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if token is None:
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    response = session.post(server.url + "/login", allow_redirects=False, data={
        "csrf_token": token.group(1), "email": email, "password": password})
    assert response.status_code == 302, response.text[:500]
    return session


def browser_login(page, base: str, email: str, password: str = "correct horse battery") -> None:
    """Log a Playwright page in through the login form (by field id: works in every language)."""
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("#main form button[type=submit]").first.click()
    # Wait for the redirect away from the form (a failed login stays there and times out).
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("load")


def count_connects(page) -> list[str]:
    """Every Socket.IO connection the page opens from now on (websocket or polling handshake)."""
    opened: list[str] = []
    page.on("websocket", lambda ws: opened.append(ws.url) if "EIO=" in ws.url else None)
    page.on("request", lambda r: opened.append(r.url) if "EIO=" in r.url
            and "transport=polling" in r.url and "sid=" not in r.url else None)
    return opened
