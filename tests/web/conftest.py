"""One server and one browser for every web test: uvicorn on a port-0 socket in a thread, and
Playwright driving Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from hino_forms.web.app import create_app
from hino_forms.web.settings import MB, Settings

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The test server's limits: small enough that a test can exceed them cheaply.
TEST_SETTINGS = dict(max_upload_bytes=1 * MB, local_unoservers=1, workers=2, max_jobs=4)


def chromium() -> str | None:
    """Debian's chromium binary (the /usr/bin wrapper only adds flags we pass ourselves)."""
    for path in ("/usr/lib/chromium/chromium", shutil.which("chromium") or ""):
        if path and Path(path).is_file():
            return path
    return None


@dataclass
class Server:
    """The running test server: its URL and its app (for the store and the settings)."""

    url: str
    app: FastAPI


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The web app served by uvicorn in a thread, on a socket we bound to port 0 ourselves."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(Settings(**TEST_SETTINGS))  # type: ignore[arg-type]
    uv = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    )
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Server(url, app)
    finally:
        uv.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch, pointed at Debian's chromium with quiet flags."""
    path = chromium()
    if path is None:
        pytest.skip(
            "chromium がないためブラウザのテストを省略（scripts/system-deps.sh で入ります）"
        )
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], server: Server) -> dict[str, Any]:
    """Every page starts at the test server, in Japanese, with downloads allowed."""
    return {
        **browser_context_args,
        "base_url": server.url,
        "locale": "ja-JP",
        "accept_downloads": True,
        "viewport": {"width": 1200, "height": 900},
    }
