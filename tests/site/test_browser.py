"""The built site in a real browser: Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches the system ``chromium``. Without one
the test is skipped locally, with the reason, but fails in CI (``CI`` set), where
``make test`` installs it first.
"""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def serving(proc: subprocess.Popen, base: str, seconds: float, what: str):
    """Wait until ``proc`` answers ``base`` (failing the test if it exits or ``seconds``
    pass), yield ``base``, then stop it."""
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(base, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    detail = f": {proc.stderr.read()[-2000:]}" if proc.stderr else ""
                    pytest.fail(f"{what} did not start{detail}", pytrace=False)
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server(built_site):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port),
         "--directory", str(built_site.path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    with serving(proc, f"http://127.0.0.1:{port}/", 15, "the static file server") as base:
        yield base


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


def open_page(browser, server, width=1280, height=900):
    """A fresh browser context and page that records every request it makes.

    Requests for other hosts are recorded, then aborted rather than sent: the test asserts
    there were none, and the machine stays offline either way.
    """
    context = browser.new_context(viewport={"width": width, "height": height},
                                  permissions=["clipboard-read", "clipboard-write"])
    foreign = []
    context.on("request", lambda request: request.url.startswith(server)
               or foreign.append(request.url))
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(server) else route.abort())
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors, missing = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: r.status >= 400 and r.url.startswith(server)
            and missing.append(f"{r.status} {r.url}"))
    return context, page, (errors, missing, foreign)


def close_and_check(context, seen):
    errors, missing, foreign = seen
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not missing, f"site resources that failed to load: {missing}"
    assert not foreign, f"requests to another host: {foreign}"


@pytest.fixture
def page(browser, server):
    context, page, seen = open_page(browser, server)
    yield page
    close_and_check(context, seen)


@pytest.fixture
def phone(browser, server):
    """A 390 px wide viewport, as on a phone."""
    context, page, seen = open_page(browser, server, width=390, height=844)
    yield page
    close_and_check(context, seen)


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


def test_old_catalog_anchor_lands_on_the_rules_row(page, server):
    page.goto(server + "rules/#psk101")
    anchor = page.locator("#psk101")
    anchor.wait_for(state="attached")
    row = page.locator("tr:has(#psk101)")
    assert "PSK101" in row.inner_text() and "cosign-by-tag" in row.inner_text()
    assert anchor.evaluate("a => a.href") == server + "rules/psk101/"


def test_rule_page_opens_from_the_catalog(page, server):
    page.goto(server + "rules/")
    page.locator("#psk101").click()  # instant navigation, as a reader clicks it
    page.wait_for_url(server + "rules/psk101/")
    assert "PSK101 cosign-by-tag" in page.locator("article h1").inner_text()
    facts = page.locator("dl.psk-meta").inner_text()
    for name in ("Severity", "Domain", "File kinds", "Checkov ID", "Since", "Status", "Source"):
        assert name in facts
    assert "CKV_PSK_101" in facts
    flagged = page.locator(".language-yaml .hll")
    assert flagged.count() >= 1 and "cosign sign" in flagged.first.inner_text()
    assert "platform-skills check psk101-bad.yml" in page.locator(".language-console").first.inner_text()


def visible_rows(page):
    rows = page.locator("article tbody tr:has([data-severity]):has([data-domain])")
    return [(row.locator("[data-domain]").get_attribute("data-domain"),
             row.locator("[data-severity]").get_attribute("data-severity"))
            for row in rows.all() if row.is_visible()]


def test_catalog_filters_by_severity_and_domain(page, server):
    from platform_skills.registry import all_rules
    rules = all_rules()
    page.goto(server)
    page.locator("nav.md-tabs a", has_text="Rules").click()  # reached by instant navigation
    page.wait_for_url(server + "rules/")
    panel = page.locator("[data-psk-filter]")
    panel.wait_for(state="visible")
    severity = page.locator("select[data-psk-filter-by=severity]")
    domain = page.locator("select[data-psk-filter-by=domain]")
    assert len(visible_rows(page)) == len(rules)

    severity.select_option("critical")
    shown = visible_rows(page)
    assert shown and {s for _, s in shown} == {"critical"}
    assert len(shown) == sum(r.severity == "critical" for r in rules)
    assert page.locator(".psk-filter-count").inner_text() == f"{len(shown)} of {len(rules)} rules"

    severity.select_option("")
    domain.select_option("kyverno")
    shown = visible_rows(page)
    assert shown and {d for d, _ in shown} == {"kyverno"}
    assert len(shown) == sum(r.domain == "kyverno" for r in rules)

    severity.select_option("high")
    expected = sum(r.domain == "kyverno" and r.severity == "high" for r in rules)
    assert len(visible_rows(page)) == expected


def copy_block(page, selector):
    block = page.locator(selector).first
    block.hover()
    block.locator("button[data-clipboard-target]").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
    return page.evaluate("navigator.clipboard.readText()")


def test_copy_button_copies_commands_without_prompt_or_output(page, server):
    page.goto(server + "rules/psk101/")
    assert copy_block(page, ".language-console") == "platform-skills check psk101-bad.yml"

    page.goto(server + "getting-started/")
    copied = copy_block(page, ".language-console")
    assert copied.splitlines() == ["pip install pre-commit", "pre-commit install",
                                   "pre-commit run platform-skills --all-files"] or \
        all(line and not line.startswith("$") for line in copied.splitlines())
    assert "$ " not in copied

    page.goto(server + "rules/psk101/")
    yaml_copy = copy_block(page, ".language-yaml")
    assert yaml_copy.startswith("on: push") and "cosign sign" in yaml_copy  # other blocks whole


# Every run of letters and digits in a table cell must sit on one line; a break at a space or
# after a hyphen is an ordinary line break.
SPLIT_WORDS = """() => {
  const split = [];
  for (const cell of document.querySelectorAll("article table td, article table th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[A-Za-z0-9_]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                               .map(r => Math.round(r.top)));
        if (tops.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""

NARROW_PAGES = ["rules/", "rules/psk101/", "getting-started/", "audit/", "integrations/",
                "references/supply-chain/", "references/github-actions/", "references/kyverno/"]


def test_tables_keep_words_whole_at_390_px(phone, server):
    broken = {}
    for url in NARROW_PAGES:
        phone.goto(server + url)
        phone.locator("article").wait_for()
        split = phone.evaluate(SPLIT_WORDS)
        if split:
            broken[url] = split[:10]
    assert not broken, f"words broken across lines in table cells at 390 px: {broken}"
    phone.goto(server + "rules/")
    scroller = phone.locator("article .md-typeset__scrollwrap:has(table)").first  # Material's wrapper
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth"), \
        "the catalog table should scroll sideways at 390 px, not squeeze its words"


def test_no_request_leaves_the_site(page, server):
    """Every page the reader opens, including instant navigation, asks only the local server."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for url in ("", "rules/", "rules/psk101/", "references/supply-chain/"):
        page.goto(server + url, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("sbom", delay=20)
    page.locator(".md-search-result__item").first.wait_for(state="attached")
    assert requested, "no request was recorded at all"
    assert all(url.startswith(server) for url in requested), \
        [url for url in requested if not url.startswith(server)]


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


# ---------------------------------------------------------------------------------------
# `make serve`: the preview server, run with the Makefile's own command, serves the site at
# its root, so the links a reader types or follows (rules/psk101/) work as printed.


def serve_command(port: int) -> list[str]:
    """The Makefile's ``serve`` recipe, with this test's port."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nserve:", 1)[1].split("\n")[1]
    args = recipe.split("mkdocs", 1)[1].split()
    assert args[0] == "serve", recipe
    return [sys.executable, "-m", "mkdocs", *args, "--dev-addr", f"127.0.0.1:{port}"]


@pytest.fixture(scope="module")
def dev_server(browser):  # after the browser: no build when Chromium is missing
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    proc = subprocess.Popen(serve_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    # The first build runs every rule's examples: allow it time.
    with serving(proc, f"http://127.0.0.1:{port}/", 300, "make serve's server") as base:
        yield base


# Whether anything sticks out sideways: the page itself, or a table beyond its scroll box
# (a table that scrolls inside its column is fine on phones, never at laptop widths).
CLIPPING = """() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth) out.push("page wider than window");
  const article = document.querySelector("article").getBoundingClientRect();
  for (const table of document.querySelectorAll("article table")) {
    const box = table.closest(".md-typeset__scrollwrap") || table;
    if (box.scrollWidth > box.clientWidth + 1) out.push("table scrolls: " + table.rows[0].innerText);
    if (table.getBoundingClientRect().right > article.right + 1) out.push("table past column");
  }
  return out;
}"""


def test_make_serve_serves_home_and_deep_links_at_the_root(browser, dev_server):
    context, page, seen = open_page(browser, dev_server, width=1280)
    response = page.goto(dev_server)
    assert response is not None and response.ok and "platform-skills" in page.title()
    page.wait_for_selector("nav.md-tabs")
    assert page.evaluate(CLIPPING) == []
    # A deep link typed into the address bar, not reached by navigation.
    response = page.goto(dev_server + "rules/psk101/")
    assert response is not None and response.ok
    assert "PSK101 cosign-by-tag" in page.locator("article h1").inner_text()
    assert page.evaluate(CLIPPING) == []
    page.goto(dev_server + "references/supply-chain/")
    page.locator("nav.md-tabs a", has_text="Rules").click()  # and on by instant navigation
    page.wait_for_url(dev_server + "rules/")
    close_and_check(context, seen)


def test_catalog_fits_its_column_at_1280_px(page, server):
    page.goto(server + "rules/")
    table = page.locator("article table:has([data-domain])")
    table.wait_for()
    assert page.evaluate(CLIPPING) == []
    # Every column shows whole: no cell hides part of its content.
    hidden = table.evaluate("t => [...t.querySelectorAll('td, th')]"
                            ".filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText)")
    assert hidden == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalog-1280.png"))
