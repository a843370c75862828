"""The HTML report in a real headless Chromium (Debian's ``chromium`` driven by Playwright).

Needs: ``apt-get install -y chromium`` (and a CJK font such as ``fonts-noto-cjk`` for readable
screenshots) and ``pip install playwright`` — never ``playwright install``: the system browser is
used through ``executable_path``. Skipped, with the reason, only when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.reporters.html import render_html
from auditor.scoring import rank_batch
from report_factory import PATH_A24, make_batch, make_large_batch

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing: install Debian's chromium (apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _open(browser, tmp_path, batch, documents):
    html_path = tmp_path / "report.html"
    html_path.write_text(render_html(rank_batch(batch), documents), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 800})
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda request: None if request.url.startswith("file:")
            else external.append(request.url))
    console_errors: list[str] = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    page.goto(html_path.as_uri())
    yield page
    assert external == [], f"the page tried to load {external}"
    assert console_errors == [], f"JavaScript errors: {console_errors}"
    context.close()


@pytest.fixture()
def page(browser, tmp_path):
    yield from _open(browser, tmp_path, *make_batch())


@pytest.fixture()
def long_page(browser, tmp_path):
    yield from _open(browser, tmp_path, *make_large_batch(2, 30000, findings_per_report=12))


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert viewport is not None
    return (box is not None and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"]
            and 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"])


def test_click_scrolls_a_far_highlight_into_view(long_page):
    page = long_page
    page.locator("#ranking tbody a").first.click()
    section = page.locator("section.report:target")
    cards = section.locator("li.finding")
    # the finding whose first highlight lies furthest down the text
    far = max(range(cards.count()), key=lambda i: section.locator(
        f'.doctext mark[data-finding~="{cards.nth(i).get_attribute("data-goto")}"]').first
        .evaluate("m => m.getBoundingClientRect().top + window.scrollY"))
    card = cards.nth(far)
    mark = section.locator(f'.doctext mark[data-finding~="{card.get_attribute("data-goto")}"]').first
    assert not _in_viewport(page, mark)
    card.click()
    assert _in_viewport(page, mark)
    assert "flash" in (mark.get_attribute("class") or "")
    # clicking a highlight brings its finding card into the sidebar's view
    page.mouse.wheel(0, -20000)
    mark.scroll_into_view_if_needed()
    mark.click()
    assert "active" in (card.get_attribute("class") or "").split()
    assert _in_viewport(page, card)


def _ranking_paths(page) -> list[str]:
    return page.locator("#ranking tbody tr td:nth-child(6)").all_inner_texts()


def test_sort_open_report_and_jump_to_finding(page, tmp_path):
    assert page.locator("#overview").is_visible()
    initial = _ranking_paths(page)
    assert initial[0] == PATH_A24  # rank 1 first

    page.locator("#ranking th", has_text="风险分").click()  # numeric: highest first
    page.locator("#ranking th", has_text="风险分").click()  # again: lowest first
    after = _ranking_paths(page)
    assert after != initial
    assert after[-1] == "in/损坏文件.docx"  # no score: always last
    assert after[-2] == PATH_A24  # highest score is last when ascending
    assert page.locator("#ranking th", has_text="风险分").get_attribute("aria-sort") == "ascending"

    page.locator("#ranking a", has_text=PATH_A24).click()
    report = page.locator("section.report:target")
    assert report.get_attribute("id") == "r-1"
    assert report.is_visible()
    assert not page.locator("#overview").is_visible()

    # the sidebar card of the copied-passage finding (4th finding: id r1-f3)
    card = page.locator("#r1-f3")
    card.click()
    mark = page.locator('section#r-1 .doctext mark[data-finding~="r1-f3"]').first
    assert _in_viewport(page, mark)
    assert mark.is_visible()
    background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert "flash" in (mark.get_attribute("class") or "")

    page.screenshot(path=str(tmp_path / "finding.png"))
    shutil.copyfile(tmp_path / "finding.png", "/tmp/auditor_browser.png")


def test_overview_screenshot_shows_charts(page, tmp_path):
    charts = page.locator("figure.chart svg")
    assert charts.count() == 3
    for i in range(3):
        assert charts.nth(i).is_visible()
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    shutil.copyfile(tmp_path / "overview.png", "/tmp/auditor_browser_overview.png")


def test_hostile_text_does_not_run(page):
    page.locator("#ranking a", has_text="白石镇").click()
    section = page.locator("section.report:target .doctext")
    assert "<script>alert(1)</script>" in section.inner_text()
    assert page.evaluate("typeof window.alert") == "function"  # page alive, no dialog opened
