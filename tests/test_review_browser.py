"""The HTML report's review marks in a real headless Chromium: mark findings, export the decisions
file, and read it back with `auditor check --review` (needs /usr/bin/chromium and playwright, as
tests/test_browser.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.review import read_decisions
from test_browser import CHROMIUM, CHROMIUM_ARGS
from test_review import REPORT

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install -y chromium)")
runner = CliRunner()


def check(*args: object) -> dict:
    result = runner.invoke(app, ["check", *map(str, args), "--format", "json", "--engine", "inline", "--no-progress"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_mark_export_and_read_back(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    report = tmp_path / "文旅局.txt"
    report.write_text(REPORT, encoding="utf-8")
    earlier = tmp_path / "earlier.csv"  # a decision from an earlier round: the export keeps it
    data = check(report)
    kept = next(f for f in data["reports"][0]["findings"] if f["rule"] == "AR105")
    assert runner.invoke(app, ["review", str(earlier), "--id", kept["id"], "--status", "待跟进",
                               "--by", "王五"]).exit_code == 0
    page_file = tmp_path / "report.html"
    assert runner.invoke(app, ["check", str(report), "--review", str(earlier), "-o", str(page_file),
                               "--engine", "inline", "--no-progress"]).exit_code == 0

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
            page = context.new_page()
            external: list[str] = []
            page.on("request", lambda r: None if r.url.startswith(("file:", "blob:", "data:")) else external.append(r.url))
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(page_file.as_uri())
            page.locator("#ranking tbody a").first.click()  # open the report's section
            cards = page.locator("li.finding")
            assert cards.count() == 3
            already = page.locator("li.finding[data-review='待跟进']")
            assert already.count() == 1 and "王五" in already.locator(".review-state").inner_text()

            target = page.locator("li.finding", has_text="超过总数10万元")
            target.locator(".review-reason").fill("分项含上年结转, 见\"附表2\"")  # a comma and quotes survive CSV
            page.fill("#review-by", "张三")
            target.locator("button[data-status='误报']").click()
            assert target.get_attribute("data-review") == "误报"
            assert "已决定：误报" in target.locator(".review-state").inner_text()
            with page.expect_download() as info:
                page.click("#review-export")
            download = info.value
            assert download.suggested_filename.endswith(".csv")
            exported = tmp_path / "exported.csv"
            download.save_as(exported)
            assert external == [] and errors == [], (external, errors)
        finally:
            browser.close()

    decisions = read_decisions(exported)
    target_id = next(f["id"] for f in data["reports"][0]["findings"] if "超过总数10万元" in f["message"])
    assert decisions[target_id].status == "误报" and decisions[target_id].by == "张三"
    assert decisions[target_id].reason == "分项含上年结转, 见\"附表2\""
    assert decisions[kept["id"]].status == "待跟进" and decisions[kept["id"]].by == "王五"
    assert len(decisions) == 2

    again = check(report, "--review", exported)
    by_id = {f["id"]: f for f in again["reports"][0]["findings"]}
    assert by_id[target_id]["review"]["status"] == "误报"
    assert again["review"]["new"] == 1 and again["review"]["decided"] == 2
    assert again["reports"][0]["risk_score"] < data["reports"][0]["risk_score"]
