"""The layout reader: paragraphs, tables, merged cells, sections and offsets of the flattened form."""

from __future__ import annotations

import pytest

from auditor.document import clean_text
from auditor.errors import ReadError
from auditor.readers.decode import decode_text
from auditor.readers.text import build_document, chinese_ordinal, match_heading


def cells(doc, table=0):
    return [[doc.cell_text(c) for c in row.cells] for row in doc.tables[table].rows]


def test_cells_rows_and_continuations() -> None:
    text = ("表一 经费情况表\n"
            "\t项目\n\t金额（万元）\n\n"
            "\t办公费\n\t12.50\n\n"
            "\t\n\t3.00\n\n\n"
            "说明：以上为决算数。\n")
    doc = build_document(text, "t.txt")
    assert cells(doc) == [["项目", "金额（万元）"], ["办公费", "12.50"], ["", "3.00"]]
    merged = doc.tables[0].rows[2].cells[0]
    assert merged.is_continuation and (merged.row, merged.col) == (2, 0)
    assert [doc.paragraph_text(p) for p in doc.paragraphs] == ["表一 经费情况表", "说明：以上为决算数。"]
    assert clean_text(doc.text[doc.tables[0].caption.start:doc.tables[0].caption.end]) == "表一经费情况表"


def test_multiline_cell_and_blank_line_inside_a_cell() -> None:
    text = ("\t一级指标\n\t二级指标\n\n"
            "\t产出指标\n\n（40分）\n\t数量指标\n\n"
            "\t楼堂馆所\n（2023年完工）\n\t规模\n\n\n")
    doc = build_document(text, "t.txt")
    assert cells(doc) == [["一级指标", "二级指标"], ["产出指标（40分）", "数量指标"], ["楼堂馆所（2023年完工）", "规模"]]
    cell = doc.tables[0].rows[1].cells[0]
    assert doc.text[cell.start:cell.end] == "产出指标\n\n（40分）"


def test_full_width_space_line_inside_cell_and_orphan_label_row() -> None:
    text = ("\t绩\n效\n指\n标\n\n"
            "\t一级指标\n\t三级指标\n\t得分\n\n"
            "\t\n\t效益指标\n\n（30分）\n　\n\t满意度\n\t9\n\n\n")
    doc = build_document(text, "t.txt")
    assert cells(doc) == [["绩效指标", "一级指标", "三级指标", "得分"], ["", "效益指标（30分）", "满意度", "9"]]
    assert len(doc.tables) == 1


def test_tables_separated_by_two_blank_lines_and_residue() -> None:
    text = "\t[bookmark: _GoBack]甲\n\t1\n\n\n\n\t乙\n\t2\n\n"
    doc = build_document(text, "t.txt")
    assert len(doc.tables) == 2
    assert cells(doc, 0) == [["甲", "1"]]
    assert doc.text[doc.tables[0].rows[0].cells[0].start:][:20].startswith("[bookmark: _GoBack]甲")


def test_offsets_index_the_unchanged_text() -> None:
    text = "\ufeff一、概况\r\n本单位共有人员30人。\r\n\t项目\r\n\t人数\r\n\r\n"
    doc = build_document(text, "t.txt")
    assert doc.text == text
    for p in doc.paragraphs:
        assert "\n" not in doc.text[p.start:p.end] and "\r" not in doc.text[p.start:p.end]
    for row in doc.tables[0].rows:
        for c in row.cells:
            assert doc.text[c.start - 1] == "\t"


@pytest.mark.parametrize("line,expected", [
    ("一、部门基本情况", ("cn-dun", "dun", 1)),
    ("（二）机构设置", ("paren-cn", "paren", 2)),
    ("3、 政府性基金预算支出情况", ("digit-dun-export", "dun", 3)),
    ("（3） 单位绩效目标", ("paren-digit-export", "paren", 3)),
    ("1、坚持党的领导", ("digit-dun", "digit", 1)),
    ("2. 项目支出情况", ("digit-dot", "digit-dot", 2)),
    ("(1)履职效能（20分）", ("paren-digit", "paren-digit", 1)),
    ("②专门委员会", ("circled", "circled", 2)),
    ("十、其他需要说明的情况", ("cn-dun", "dun", 10)),
])
def test_heading_styles(line, expected) -> None:
    assert match_heading(line) == expected


@pytest.mark.parametrize("line", [
    "1、预算执行率（6分）：全年执行数为预算的97%，结余资金38万元，依评分标准本项得5分。这是说明。",
    "2024年，本局从严控制一般性支出。",
    "3.15个乡镇完成任务",
    "一是强化思想引领",
])
def test_not_headings(line) -> None:
    assert match_heading(line) is None


def test_section_tree_with_word_export_numbering() -> None:
    lines = ["1、 基本情况", "（一）单位情况", "正文一。", "（3） 绩效目标", "二、预算支出情况", "（一）基本支出",
             "（2） 项目支出", "2、 政府性基金支出", "3、 国有资本支出", "（1） 财务管理", "一、突出政治引领", "二、服务大局",
             "4、 存在的问题", "五、改进措施", "五、改进措施"]
    doc = build_document("\n".join(lines) + "\n", "t.txt")
    got = [(clean_text(doc.text[s.heading.start:s.heading.end]), s.level) for s in doc.sections]
    assert got == [("1、基本情况", 1), ("（一）单位情况", 2), ("（3）绩效目标", 2), ("二、预算支出情况", 1),
                   ("（一）基本支出", 2), ("（2）项目支出", 2), ("2、政府性基金支出", 1), ("3、国有资本支出", 1),
                   ("（1）财务管理", 2), ("一、突出政治引领", 3), ("二、服务大局", 3), ("4、存在的问题", 1),
                   ("五、改进措施", 1), ("五、改进措施", 1)]
    body = doc.text.index("正文一")
    assert [clean_text(doc.text[s.heading.start:s.heading.end]) for s in doc.heading_path(body)] == ["1、基本情况", "（一）单位情况"]
    assert doc.section_title(body) == "（一）单位情况"


def test_chinese_ordinals() -> None:
    assert [chinese_ordinal(s) for s in ("一", "十", "十二", "二十", "二十三", "7")] == [1, 10, 12, 20, 23, 7]


def test_decode_order() -> None:
    text = "绩效自评报告：执行率95.45％"
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")
    assert decode_text(text.encode("gbk")) == (text, "gb18030")
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8"))[0] == "\ufeff" + text
    assert decode_text("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))[0] == "\ufeff" + text
    with pytest.raises(ReadError) as err:
        decode_text(b"\x81\x30\xff\xfe\x00\x81")
    assert err.value.code == "decode-failed"


def test_lines_are_cut_at_every_line_break_python_knows_with_their_offsets() -> None:
    """The reader's lines: cut at every line break str.splitlines knows (\\r\\n, \\r, \\v, \\x1c,
    \\u2028 …), a line's \\r and \\n left out of it and any other break kept; each line's start and end
    index the text, after a byte-order mark too."""
    from auditor.readers.text import _split_lines

    text = "\ufeff一、概况\r\n\t项目\t金额\r本年\x0b上年\x1c合计\u2028备注\x85\n\n末行"
    lines = _split_lines(text)
    assert lines.raws == ["一、概况", "\t项目\t金额", "本年\x0b", "上年\x1c", "合计\u2028", "备注\x85", "", "", "末行"]
    for start, end, raw in zip(lines.starts, lines.ends, lines.raws):
        assert text[start:end] == raw
    assert lines.starts[0] == 1  # the mark belongs to no line
    assert lines.cells == [raw.startswith("\t") for raw in lines.raws]
    assert lines.ends[-1] == len(text)
