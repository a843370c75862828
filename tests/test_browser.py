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
from auditor.results import rank_batch
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


def test_table_grid_with_the_evidence_cell_highlighted(browser, tmp_path):
    """A .docx table is drawn as a real grid; clicking a finding on one of its figures brings the
    outlined cell, at its row and column, into view."""
    from docx import Document as WordDocument

    from auditor.engine import read_document
    from auditor.findings import Evidence

    word = WordDocument()
    word.add_paragraph("青山区水务局2023年度部门整体支出绩效自评报告")
    word.add_paragraph("一、预算执行情况")
    word.add_paragraph("本年度各项工作有序推进。" * 150)
    table = word.add_table(rows=4, cols=3)
    for r, row in enumerate([["项目", "全年预算数", "全年执行数"], ["设备购置", "310.50", "297.25"],
                             ["河道维护", "615.80", "567.87"], ["合计", "926.30", "856.12"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    word.add_paragraph("全年执行数为 865.12 万元。")
    word.save(str(tmp_path / "表格.docx"))
    doc = read_document(tmp_path / "表格.docx")
    cell_start = doc.text.index("856.12")
    said_start = doc.text.index("865.12")
    # the cell's evidence starts at its TAB, so its first mark lies in a hidden separator
    evidence = [Evidence.of(doc, cell_start - 1, cell_start + 6), Evidence.of(doc, said_start, said_start + 6)]
    assert doc.text[cell_start - 1] == "\t" and evidence[0].location["label"] == "表1 第4行第3列"
    batch = {"auditor_version": "test", "reports": [{
        "path": doc.path, "unit": "青山区水务局", "year": 2023, "kind": "department", "error": None,
        "format": "docx", "findings": [{
            "rule": "XC201", "name": "narrative-table-mismatch", "severity": "high", "confidence": 0.9,
            "message": "正文执行数865.12万元，表中合计为856.12万元", "values": {},
            "evidence": [e.to_dict() for e in evidence]}]}]}
    for page in _open(browser, tmp_path, batch, {doc.path: doc}):
        page.locator("#ranking a").first.click()
        grid = page.locator("section#r-1 .doctext table.docgrid")
        assert grid.count() == 1
        assert grid.locator("tr").count() == 4
        assert [grid.locator("tr").nth(i).locator("td").count() for i in range(4)] == [3, 3, 3, 3]
        assert grid.locator("caption").evaluate("c => getComputedStyle(c, '::before').content") == '"表1"'
        hit = grid.locator("td.hit")
        assert hit.count() == 1
        assert hit.inner_text().strip() == "856.12"  # the TAB and line breaks are hidden
        assert hit.evaluate("td => [td.parentElement.rowIndex + 1, td.cellIndex + 1]") == [4, 3]
        assert hit.get_attribute("title") == "表1 第4行第3列"
        assert hit.evaluate("td => getComputedStyle(td).outlineStyle") == "solid"
        assert not _in_viewport(page, hit)  # a long paragraph above: the cell starts off screen
        assert page.locator("section#r-1 li.finding .loc").all_inner_texts() == ["表1 第4行第3列", "第4段"]
        # the first mark in the page is the cell's hidden TAB: the click scrolls to the first one shown
        page.locator("section#r-1 li.finding").first.click()
        assert _in_viewport(page, hit)
        page.screenshot(path=str(tmp_path / "grid.png"))
        shutil.copyfile(tmp_path / "grid.png", "/tmp/auditor_browser_grid.png")
