"""HTML reporter: escaping, exact highlights, overlaps, alignment, charts, no external URL."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.reporters.html import _Span, diff_numbers, highlight_text, render_html
from auditor.results import rank_batch
from report_factory import PATH_A23, PATH_A24, PATH_B24, PATH_BROKEN, make_batch, make_large_batch


class PageParser(HTMLParser):
    """Collects marks (text per evidence key), doc texts per section, attributes and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.ev_text: dict[str, str] = defaultdict(str)
        self.ev_source: dict[str, bool] = {}
        self.mark_findings: list[list[str]] = []
        self.doc_text: dict[str, str] = defaultdict(str)
        self.urls: list[str] = []
        self.text: list[str] = []
        self.section: str | None = None
        self.scripts = 0
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        for name in ("href", "src", "action", "xlink:href", "srcset", "poster", "data"):
            if name in attributes:
                self.urls.append(attributes[name])
        if tag == "script":
            self.scripts += 1
        if tag == "section" and "report" in attributes.get("class", "").split():
            self.section = attributes["id"]
        if tag == "mark" and "data-finding" in attributes:
            self.mark_findings.append(attributes["data-finding"].split())
        if tag not in ("br", "meta", "line", "rect", "input", "img"):
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def _inside(self, predicate) -> list[dict[str, str]]:
        return [a for _, a in self.stack if predicate(a)]

    def handle_data(self, data):
        self.text.append(data)
        for attributes in self._inside(lambda a: "data-ev" in a):
            for key in attributes["data-ev"].split():
                self.ev_text[key] += data
                self.ev_source[key] = attributes.get("data-source") == "1"
        if self._inside(lambda a: a.get("class") == "doctext") and self.section:
            self.doc_text[self.section] += data


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def rendered():
    batch, documents = make_batch()
    ranked = rank_batch(batch)
    html = render_html(ranked, documents)
    return ranked, documents, html, parse(html)


def expected_evidence(ranked, documents):
    """key -> (expected text, indexes a source document?) for every locatable evidence item."""
    expected = {}
    for ri, report in enumerate(ranked["reports"], start=1):
        for fi, finding in enumerate(report["findings"]):
            for ei, ev in enumerate(finding["evidence"]):
                doc = documents.get(ev["source"] or report["path"])
                if doc is None or doc[ev["start"]:ev["end"]] != ev["text"]:
                    continue
                expected[f"r{ri}-f{fi}-e{ei}"] = (doc[ev["start"]:ev["end"]], bool(ev["source"]))
    return expected


def test_every_highlight_equals_the_document_slice(rendered):
    ranked, documents, _, page = rendered
    expected = expected_evidence(ranked, documents)
    assert len(expected) >= 8
    assert set(page.ev_text) == set(expected)
    for key, (text, from_source) in expected.items():
        assert page.ev_text[key] == text, key
        assert page.ev_source[key] == from_source


def test_document_text_is_shown_whole_and_unaltered(rendered):
    ranked, documents, _, page = rendered
    for ri, report in enumerate(ranked["reports"], start=1):
        if report["path"] in documents:
            assert page.doc_text[f"r-{ri}"] == documents[report["path"]]
    assert f"r-{len(ranked['reports'])}" not in page.doc_text  # the broken report has no text


def test_overlapping_spans_are_split_into_segments(rendered):
    _, _, _, page = rendered
    overlapping = [ids for ids in page.mark_findings if len(ids) > 1]
    assert overlapping, "the AR101/AR102 overlap must give a segment with both findings"
    assert all(len(set(ids)) == len(ids) for ids in page.mark_findings)


def test_evidence_with_wrong_offsets_is_flagged_not_highlighted(rendered):
    ranked, _, html, page = rendered
    report_a = next(i for i, r in enumerate(ranked["reports"], 1) if r["path"] == PATH_A24)
    bad_finding = next(i for i, f in enumerate(ranked["reports"][report_a - 1]["findings"])
                       if f["rule"] == "XC202")
    assert f"r{report_a}-f{bad_finding}-e0" not in page.ev_text
    assert "证据文字与原文该位置不一致" in html


def test_every_message_and_value_is_present_as_text(rendered):
    ranked, _, _, page = rendered
    text = "".join(page.text)
    for report in ranked["reports"]:
        for finding in report["findings"]:
            assert finding["message"] in text
            assert finding["rule"] in text
    assert "300.00+46.20" in text  # the computation from values
    assert "置信度 0.95" in text


def test_hostile_text_is_escaped(rendered):
    _, _, html, page = rendered
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert page.scripts == 1  # only the report's own script
    assert "<b>" not in html and "<i>" not in html and "<docx>" not in html
    assert "<script>alert(1)</script>" in "".join(page.text)


def test_no_external_url(rendered):
    _, _, html, page = rendered
    for needle in ("http://", "https://", "//cdn"):
        assert needle not in html
    assert page.urls and all(url.startswith("#") for url in page.urls)
    assert "default-src 'none'" in html  # CSP forbids loading anything from outside


def test_document_urls_stay_text_only():
    batch, documents = make_batch()
    documents[PATH_B24] += "详见 https://example.org/x.js 与 //cdn.example.org/y.css\n"
    page = parse(render_html(rank_batch(batch), documents))
    assert all(url.startswith("#") for url in page.urls)
    assert not [a for tag, a in page.elements if tag in ("script", "link", "img", "iframe") and
                ("src" in a or "href" in a)]


def test_ranking_table_errors_and_anchors(rendered):
    ranked, _, html, page = rendered
    rows = [a for tag, a in page.elements if tag == "a" and a.get("href", "").startswith("#r-")]
    anchors = {a["id"] for tag, a in page.elements if tag == "section" and "id" in a}
    assert all(a["href"][1:] in anchors for a in rows)
    assert len(ranked["reports"]) == sum(1 for s in anchors if s.startswith("r-"))
    assert "read-failed" in html and "文件已损坏，无法读取&lt;docx&gt;" in html
    assert PATH_BROKEN in html
    header = re.search(r'<table class="ranking sortable".*?</thead>', html, re.S).group(0)
    for column in ("排名", "风险分", "等级", "单位", "年度", "文件", "高", "中", "低", "提示"):
        assert f">{column}</th>" in header


def test_alignment_block_only_when_present(rendered):
    _, _, html, _ = rendered
    assert html.count('<section class="alignment"') == 1
    block = re.search(r'<section class="alignment".*?</section>', html, re.S).group(0)
    assert '<mark class="num-changed">2023</mark>' in block
    assert '<mark class="num-changed">2022</mark>' in block
    assert PATH_A23 in block
    assert "改动数字 1 处" in block


def test_charts_are_inline_svg_with_chinese_labels(rendered):
    _, _, html, page = rendered
    assert sum(1 for tag, _ in page.elements if tag == "svg") == 3
    for label in ("风险分布", "各规则发现数", "各单位发现数", "报告数", "另有 1 份报告处理出错"):
        assert label in html
    assert "风险分 70–80：1 份报告" in html  # the report scored 77.1


def test_renders_without_documents_and_lists_evidence():
    batch, _ = make_batch()
    html = render_html(rank_batch(batch), {})
    page = parse(html)
    assert page.ev_text == {}
    assert "未提供本报告的正文" in html
    assert "召开常委会会议12次" in "".join(page.text)


def test_unranked_batch_renders_in_given_order():
    batch, documents = make_batch()
    html = render_html(batch, documents)  # no scores, no ranks
    assert html.index(PATH_A24) < html.index(PATH_B24)


def test_context_mode_keeps_highlights_exact_and_elides_the_rest():
    batch, documents = make_large_batch(3, 20000, findings_per_report=3, seed=3)
    ranked = rank_batch(batch)
    full = render_html(ranked, documents)
    short = render_html(ranked, documents, context_chars=40)
    assert len(short) < len(full) / 2
    assert "此处省略" in short and "此处省略" not in full
    expected = expected_evidence(ranked, documents)
    assert parse(short).ev_text == {k: v for k, (v, _) in expected.items()}


def test_file_size_grows_with_the_text_not_faster():
    batch, documents = make_large_batch(20, 30000, findings_per_report=12)
    html = render_html(rank_batch(batch), documents)
    doc_bytes = sum(len(t.encode("utf-8")) for t in documents.values())
    assert len(html.encode("utf-8")) < 1.15 * doc_bytes + 200_000


# ---------------------------------------------------------------- unit level


@given(st.text(alphabet="甲乙丙<&>\"'\n 12", min_size=1, max_size=60), st.data())
@settings(max_examples=150)
def test_highlight_text_property(text, data):
    n = len(text)
    spans = []
    for i in range(data.draw(st.integers(0, 6))):
        a = data.draw(st.integers(0, n - 1))
        b = data.draw(st.integers(a + 1, n))
        spans.append(_Span(a, b, f"f{i}", f"f{i}-e0", data.draw(st.sampled_from(
            ["high", "medium", "low", "info", "odd"])), "规则"))
    page = parse(f'<section class="report" id="r-1"><div class="doctext">'
                 f'{highlight_text(text, spans)}</div></section>')
    assert page.doc_text["r-1"] == text
    for s in spans:
        assert page.ev_text[s.evidence_key] == text[s.start:s.end]


def test_highlight_text_ignores_out_of_range_spans():
    html = highlight_text("甲乙丙", [_Span(2, 9, "f", "f-e0", "high", ""), _Span(1, 1, "g", "g-e0", "low", "")])
    assert "<mark" not in html and html == "甲乙丙"


def test_diff_numbers_marks_only_changed_numbers():
    left, right, changed = diff_numbers("召开会议12次，调研8次。", "召开会议11次，调研8次。")
    assert '<mark class="num-changed">12</mark>' in left
    assert '<mark class="num-changed">11</mark>' in right
    assert "8" in left and '<mark class="num-changed">8</mark>' not in left
    assert changed == 1
    same_left, _, none = diff_numbers("完全相同<b>", "完全相同<b>")
    assert none == 0 and "&lt;b&gt;" in same_left


def test_sidebar_lists_most_severe_first(rendered):
    ranked, _, html, _ = rendered
    section = re.search(r'<section class="report" id="r-1".*?</section>\s*(?=<section class="report"|</main>)',
                        html, re.S).group(0)
    order = re.findall(r'<li class="finding sev-(\w+)"', section)
    rank = {"high": 3, "medium": 2, "low": 1, "info": 0}
    assert len(order) == len(ranked["reports"][0]["findings"])
    assert [rank[s] for s in order] == sorted((rank[s] for s in order), reverse=True)


@pytest.mark.parametrize("pairs, shown", [
    ([[[0, 8], [0, 8]]], True),
    ([[0, 8, 0, 8, 0.9]], True),
    ([{"left_start": 0, "left_end": 8, "right_start": 0, "right_end": 8}], True),
    ([{"left": {"text": "本年召开会议3次"}, "right": {"text": "本年召开会议4次"}}], True),
    ([{"left": {"start": 0, "end": 6}, "right": {"start": 0, "end": 6}}], False),  # no source text
    (["garbage"], False),
])
def test_alignment_pair_formats(pairs, shown):
    doc = "本年召开会议3次。其余内容。"
    batch = {"reports": [{"path": "a.txt", "unit": "甲", "year": 2024, "kind": "unknown",
                          "risk_score": 10.0, "rank": 1, "error": None, "findings": [{
                              "rule": "RU301", "name": "copied-passage", "severity": "high",
                              "confidence": 0.9, "message": "抄袭", "evidence": [], "values": {},
                              "alignment": {"source": "b.txt", "pairs": pairs}}]}]}
    documents = {"a.txt": doc}
    if shown and not (isinstance(pairs[0], dict) and "left" in pairs[0]):
        documents["b.txt"] = "本年召开会议4次。另有文字。"
    html = render_html(batch, documents)
    assert ('<div class="pair">' in html) == shown
    if shown:
        assert '<mark class="num-changed">3</mark>' in html
        assert '<mark class="num-changed">4</mark>' in html
    else:
        assert "无法显示" in html or "无法识别" in html
