"""Tests for auditor.readers.html (selectolax; our own byte decoding)."""

from __future__ import annotations

from pathlib import Path

import pytest

import formats_factory as ff
from auditor.errors import ReadError
from auditor.readers.html import decode_html_bytes, html_to_text, read_html

GOLDEN = (
    "示范单位绩效自评公开\n"
    "本年度共开展专题调研八次，形成报告五篇。\n"
    "资金执行情况如下：\n"
    "预算执行率为97.5%。\n"
    "\t指标\n\t数值\n\t备注\n\n"
    "\t\n\t计划\n\t完成\n\t无\n\n"
    "\t培训人次\n\t500\n\t520\n其中线上 200\n\t\n\n\n"
    "第一项措施\n第二项措施\n"
    "项目|预算|执行\n"
    "培训|120|118.5\n"
)


@pytest.mark.parametrize("encoding, declared, http_equiv, bom", [
    ("utf-8", "utf-8", False, False),
    ("utf-8", None, False, False),
    ("utf-8", None, False, True),
    ("gbk", "gbk", False, False),
    ("gb18030", "gb2312", True, False),
    ("gbk", None, False, False),          # undeclared GBK: strict UTF-8 fails, GB18030 decodes
    ("gbk", "iso-8859-1", False, False),  # mislabelled Western charset is not trusted
])
def test_html_golden_in_every_encoding(tmp_path: Path, encoding: str, declared: str | None,
                                       http_equiv: bool, bom: bool) -> None:
    path = ff.build_html(tmp_path / "p.html", encoding, declared, http_equiv, bom)
    assert read_html(path) == GOLDEN


def test_script_style_comments_never_appear(tmp_path: Path) -> None:
    text = read_html(ff.build_html(tmp_path / "p.html"))
    for banned in ("alert", "color", "请启用脚本", "内部备注", "公开页面"):
        assert banned not in text


def test_declared_charset_wins_over_utf8_guess() -> None:
    data = ff.html_page("<p>统计</p>", "gbk").encode("gbk")
    text, codec = decode_html_bytes(data)
    assert codec == "gb18030" and "统计" in text


def test_utf16_bom() -> None:
    data = b"\xff\xfe" + ff.html_page("<p>预算</p>", None).encode("utf-16-le")
    assert "预算" in html_to_text(decode_html_bytes(data)[0])


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(b"<p>\xff\xff\xff\x80</p>")
    with pytest.raises(ReadError) as info:
        read_html(path)
    assert info.value.code == "decode-failed"


def test_missing_html(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_html(tmp_path / "none.html")
    assert info.value.code == "file-not-found"


def test_rowspan_colspan_grid() -> None:
    html = ("<table><tr><td rowspan=3 colspan=2>大格</td><td>a</td></tr>"
            "<tr><td>b</td></tr><tr><td>c</td></tr><tr><td>x</td><td>y</td><td>z</td></tr></table>")
    assert html_to_text(html) == (
        "\t大格\n\ta\n\n\t\n\tb\n\n\t\n\tc\n\n\tx\n\ty\n\tz\n\n\n")


def test_rowspan_beyond_table_is_clipped_and_zero_spans_to_end() -> None:
    html = ("<table><tr><td rowspan=0>全</td><td>1</td></tr><tr><td>2</td></tr></table>"
            "<table><tr><td rowspan=99>长</td><td>3</td></tr></table>")
    assert html_to_text(html) == "\t全\n\t1\n\n\t\n\t2\n\n\n\t长\n\t3\n\n\n"


def test_single_column_layout_table_is_read_as_flow() -> None:
    html = ("<table><tr><td><p>正文第一段</p><table><tr><td>名称</td><td>金额</td></tr></table>"
            "<p>正文第二段</p></td></tr></table>")
    assert html_to_text(html) == "正文第一段\n\t名称\n\t金额\n\n\n正文第二段\n"


def test_cjk_line_breaks_dropped_latin_spaces_kept() -> None:
    html = "<p>第一行\n  第二行 Budget\nPlatform&nbsp;二期</p>"
    assert html_to_text(html) == "第一行第二行 Budget Platform 二期\n"


def test_pipe_rows_stay_paragraphs_and_no_line_starts_with_tab() -> None:
    html = "<p>\t名称 | 金额</p><pre>\t甲 | 1\n乙 | 2</pre>"
    text = html_to_text(html)
    assert text == "名称 | 金额\n甲 | 1\n乙 | 2\n"


def test_deeply_nested_markup_does_not_crash() -> None:
    html = "<div>" * 2000 + "深处" + "</div>" * 2000
    assert "深处" in html_to_text(html)
