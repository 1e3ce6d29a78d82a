"""The fleet's HTML page in Debian's Chromium: opened from a file, as from an artifact.

It must show every repository and gap column, sort by a click on a column header, log no
console error (a wrong CSP hash would), and request nothing: the browser fixtures are the
site tests' (tests/site/test_browser.py), which skip without Chromium locally and fail in CI.
"""

import sys
from pathlib import Path

from fleet_repos import make_repo

from support import run_cli

sys.path.insert(0, str(Path(__file__).parent / "site"))
from test_browser import browser  # noqa: E402,F401  (the fixture, reused)

KINDS = ("push-only", "complete", "quiet", "flux")


def test_fleet_page_opens_sorts_and_requests_nothing(browser, tmp_path):  # noqa: F811
    paths = []
    for i in range(12):
        kind = KINDS[i % len(KINDS)]
        make_repo(tmp_path / "clones", f"svc-{i:02}-{kind}", kind)
        paths.append(f"clones/svc-{i:02}-{kind}")
    page_file = tmp_path / "fleet.html"
    proc = run_cli("fleet", *paths, "--format", "html", "-o", page_file, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests, errors = [], []
    context.on("request", lambda r: r.url.startswith("file:") or requests.append(r.url))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                  else route.abort())
    page = context.new_page()
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(page_file.as_uri())
        rows = page.locator("#fleet tbody tr")
        assert rows.count() == 12
        names = [rows.nth(i).locator("th").inner_text() for i in range(12)]
        assert names == sorted(p.split("/")[1] for p in paths)
        headers = page.locator("#fleet thead tr").first.locator("button").all_inner_texts()
        assert headers == ["repository", "sign", "gate", "SBOM", "attest", "admission", "SLSA", "pins fresh"]
        summary = page.locator("#summary tbody tr")
        assert summary.count() == 7  # one row per gap column
        assert "3" in summary.first.locator("td").nth(2).inner_text()  # 3 push-only repos

        page.locator("#fleet thead button", has_text="admission").click()  # gaps first
        first = [rows.nth(i).locator("th").inner_text() for i in range(3)]
        assert all(name.endswith("-flux") for name in first)
        assert page.locator("#fleet thead th[aria-sort=descending]").count() == 1
        page.locator("#fleet thead button", has_text="repository").click()
        assert rows.first.locator("th").inner_text() == names[0]

        gap = rows.nth(0).locator("td.gap a").first  # svc-00-push-only: a gap links to evidence
        target = gap.get_attribute("href")
        gap.click()
        assert page.locator(target).is_visible() and "PSK901" in page.locator(target).inner_text()
        rule_links = page.locator("#fleet td a[href^='https://platform-skills.github.io/']")
        assert rule_links.count() == 12 * 7
    finally:
        context.close()
    assert not errors, f"console errors: {errors}"
    assert not requests, f"the page made requests: {requests}"
