"""An attachment counts as present only when a table with content (or text) follows its title."""

from __future__ import annotations

from auditor.extract.attachments import attachment_titles, content_tables, is_issued_notice
from auditor.readers.text import build_document

HEAD = "某镇2024年度补助资金分配情况说明\n一、资金安排\n分配情况见附表1。\n附表1 各村分配表\n"


def test_a_table_of_figures_after_the_title_is_the_attachment() -> None:
    doc = build_document(HEAD + "| 村 | 金额（元） |\n| 东村 | 50,000 |\n| 西村 | 30,000 |\n", "a.txt")
    assert len(content_tables(doc)) == 1
    assert [(key, present) for key, _s, _e, present in attachment_titles(doc)] == [("附表1", True)]


def test_a_bar_row_with_one_filled_row_is_not_an_attachment() -> None:
    doc = build_document(HEAD + "| 返回首页 | 打印本页 |\n|\n", "a.txt")
    assert any(t.flattened for t in doc.tables)  # read as a table …
    assert content_tables(doc) == []  # … but not one that holds content
    assert [(key, present) for key, _s, _e, present in attachment_titles(doc)] == [("附表1", False)]


def test_a_notice_under_a_document_number_is_an_issued_notice() -> None:
    notice = ("北河区财政局\n关于拨付2025年农村饮水安全维修资金的通知\n北财建〔2025〕9号\n区水务局：\n"
              "现拨付维修资金80万元。\n附件：1.维修资金绩效目标表\n")
    assert is_issued_notice(build_document(notice, "n.txt"))


def test_a_report_citing_a_document_number_is_not_a_notice() -> None:
    report = ("北河区水务局2025年度农村饮水安全项目绩效自评报告\n一、项目概况\n"
              "根据《关于拨付维修资金的通知》（北财建〔2025〕9号），本项目预算80万元。\n附件：1.项目绩效自评表\n")
    assert not is_issued_notice(build_document(report, "r.txt"))
    # the number alone on a line, but the title is a report's, not a notice's
    numbered = "北河区水务局2025年度绩效自评报告\n北水〔2026〕3号\n一、项目概况\n预算80万元。\n"
    assert not is_issued_notice(build_document(numbered, "r2.txt"))
