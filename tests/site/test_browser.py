"""The built site in a real browser: Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches the system ``chromium``. Without one
the test is skipped locally, with the reason, but fails in CI (``CI`` set), where
``make test`` installs it first.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / ".artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 20_000


def chromium_path() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` on a developer machine; fail in CI, where it must not happen."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_site):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port),
         "--directory", str(built_site.path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(base, timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the static file server did not start", pytrace=False)
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    require(executable is not None,
            "Chromium is not installed (apt-get install chromium, or run 'make test')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Stay offline: the site is served locally; anything else (the GitHub API call behind the
    # repository widget) is aborted rather than sent.
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(server) else route.abort())
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors, missing = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: r.status >= 400 and r.url.startswith(server)
            and missing.append(f"{r.status} {r.url}"))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not missing, f"site resources that failed to load: {missing}"


def test_home_page_loads(page, server):
    response = page.goto(server)
    assert response is not None and response.ok
    assert "platform-skills" in page.title()
    page.wait_for_selector("nav.md-tabs")  # navigation tabs rendered
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    assert (ARTIFACTS / "home.png").stat().st_size > 0


def test_search_finds_the_supply_chain_reference(page, server):
    page.goto(server)
    query = page.locator("input.md-search__input")
    query.click()
    query.press_sequentially("cosign", delay=30)
    hit = page.locator(".md-search-result__list a[href*='references/supply-chain/']").first
    hit.wait_for(state="attached")
    assert page.locator(".md-search-result__item").count() > 0


def test_catalog_anchor_exists(page, server):
    page.goto(server + "rules/#psk101")
    heading = page.locator("#psk101")
    heading.wait_for(state="attached")
    assert "PSK101" in heading.inner_text()
    assert "cosign-by-tag" in heading.inner_text()


def test_palette_toggle_switches_to_dark(page, server):
    page.goto(server)
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(
        "before => document.body.getAttribute('data-md-color-scheme') !== before", arg=before)
    assert page.locator("body").get_attribute("data-md-color-scheme") in ("default", "slate")


def test_code_blocks_have_copy_buttons(page, server):
    page.goto(server + "getting-started/")
    copy = page.locator("button[data-clipboard-target]")  # added by content.code.copy
    copy.first.wait_for(state="attached")
    assert copy.count() >= 3
