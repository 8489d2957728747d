"""A real browser for end-to-end journeys: the app served by uvicorn on loopback, headless Chromium via Playwright.

Nothing here downloads a browser: Playwright drives Debian's `chromium` (`/usr/bin/chromium`, installed by
`scripts/install-system-deps.sh`; `CHROMIUM_PATH` points elsewhere). Without it the browser tests are
skipped on a developer machine and fail in CI (`CI=true`).

Use the fixtures from a test module under `tests/web/` (they need the `corpus` fixture of its conftest):

    from tests.web.browser import browser_fixture, live_app_fixture, page_fixture  # noqa: F401

(the functions are named `*_fixture` so that test parameters named `page` do not shadow an import)

- `live_app` (per module): `create_app` on a private copy of the corpus data folder, served by uvicorn in
  a background thread on 127.0.0.1 and a free port; `live_app.url`, `.settings`, `.app` (its state, e.g.
  the audit log, once started).
- `browser` (per test): headless Chromium, started and stopped around each test (about 1 s), because
  while Playwright's sync API runs, `asyncio.run()` fails in its thread (see `off_the_loop`).
- `page` (per test): a fresh context (its own cookies), `base_url` the live app, downloads accepted,
  Vietnamese locale; console errors (CSP violations among them) are kept for `console_errors(page)`.

Helpers: `login(page, role)` signs in as the corpus account of the role; `screenshot(page, name)` saves a
full-page PNG in `test-output/screenshots/` at the repository root (git-ignored); `off_the_loop(f, ...)`
calls f in another thread (for pyHanko's verification, or anything else that calls `asyncio.run()`).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from schemas.settings import Settings
from tests.conftest import unavailable
from tests.web.conftest import PASSWORD, Corpus
from web.app import create_app
from web.pages import ROLE_NAMES

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
T = TypeVar("T")
START_TIMEOUT_S = 30.0

_console_errors: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


class LiveServer:
    """An ASGI app served by uvicorn in a daemon thread, on a loopback socket bound before it starts."""

    def __init__(self, app: FastAPI) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="live-app", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the live app stopped while starting (see the log above)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the live app did not start within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(START_TIMEOUT_S)
        self.socket.close()


@dataclass(frozen=True)
class LiveApp:
    """The running app: where it listens, its settings (a private data folder) and the app object."""

    url: str
    settings: Settings
    app: FastAPI


@pytest.fixture(name="live_app", scope="module")
def live_app_fixture(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    data = tmp_path_factory.mktemp("live-app") / "data"
    shutil.copytree(corpus.data, data)
    settings = Settings(data_dir=data, workers=1)
    app = create_app(settings)
    server = LiveServer(app)
    server.start()
    try:
        yield LiveApp(server.url, settings, app)
    finally:
        server.stop()


@pytest.fixture(name="browser")
def browser_fixture() -> Iterator[Browser]:
    """Chromium for one test. Not shared wider on purpose: while Playwright's sync API is running, its event
    loop counts as running in this thread, so `asyncio.run()` (pyHanko's validation, for one) fails in any
    test that runs meanwhile. Starting it takes about 1 s."""
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM}: run scripts/install-system-deps.sh (Debian package chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(name="page")
def page_fixture(browser: Browser, live_app: LiveApp) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_app.url, accept_downloads=True, locale="vi-VN", viewport={"width": 1400, "height": 1000}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    _console_errors[tab] = errors
    tab.on("console", lambda message: _keep_error(errors, message))
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()


def _keep_error(errors: list[str], message: ConsoleMessage) -> None:
    if message.type != "error":
        return
    url = message.location.get("url", "")
    if url.endswith("/favicon.ico"):
        return  # the app has no icon; browsers ask anyway
    errors.append(f"{message.text} ({url})" if url else message.text)


def console_errors(page: Page) -> list[str]:
    """What the browser reported as errors on this page so far (a CSP violation is one), with their URL."""
    return list(_console_errors.get(page, []))


def login(page: Page, role: str) -> None:
    """Sign in through the login form as the corpus account of `role`; ends on the page signed in to."""
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(f"{role}1")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert "/login" not in page.url, f"login as {role} failed: {page.inner_text('main')}"
    assert ROLE_NAMES[role] in page.inner_text("header.top")


def off_the_loop(function: Callable[..., T], *args: Any) -> T:
    """Call `function` in another thread: during a browser test, code that calls `asyncio.run()` (verifying a
    signature with pyHanko, say) cannot run in the test's own thread, where Playwright's loop is running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as `test-output/screenshots/NAME.png`; returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
