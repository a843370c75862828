"""An attachment counts as present only when a table with content (or text) follows its title."""

from __future__ import annotations

from auditor.extract.attachments import attachment_titles, content_tables
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
