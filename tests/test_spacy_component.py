"""The auditor_claims spaCy component, its DocBin round trip and `auditor claims --format spacy`."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from spacy.tokens import Doc, DocBin  # noqa: E402

from auditor.analysis import Analysis  # noqa: E402

from auditor.nlp.spacy_component import ATTRIBUTES, claims_docbin, make_nlp  # noqa: E402
from auditor.readers.text import build_document  # noqa: E402

TEXT = ("某某站二〇二三年度部门整体支出绩效自评报告\n一、基本情况\n"
        "全年共组织巡查61次，培训350余人，建成约800㎡的活动场地，群众满意率不低于95%。\n"
        "二、预算执行\n年初预算数120万元，全年执行数118.5万元。\n"
        "\t项目\n\t预算数（万元）\n\t执行数（万元）\n\n\t培训\n\t40.00\n\t38.20\n\n\n")


@pytest.fixture(scope="module")
def nlp():
    return make_nlp()


def _auditor_claims(text: str) -> list[dict]:
    return [c.to_dict() for c in Analysis(build_document(text, "t.txt")).claims]


def _span_claims(doc) -> list[dict]:
    return [{"text": s.text, "start": s.start_char, "end": s.end_char,
             **{name: getattr(s._, name) for name in ATTRIBUTES}} for s in doc.spans["claims"]]


def _expected(text: str) -> list[dict]:
    return [{k: c[k] for k in ("text", "start", "end", *ATTRIBUTES)} for c in _auditor_claims(text)]


def test_spans_are_auditors_claims(nlp):
    doc = nlp(TEXT)
    assert doc.text == TEXT
    assert nlp.pipe_names == ["auditor_claims"]
    assert nlp.config["nlp"]["tokenizer"]["segmenter"] == "jieba"
    expected = _expected(TEXT)
    assert len(expected) >= 8  # narrative and table claims
    assert {c["where"] for c in expected} == {"narrative", "table"}
    assert _span_claims(doc) == expected
    for span in doc.spans["claims"]:
        assert span.text == TEXT[span.start_char:span.end_char]
        assert span.label_ == "CLAIM"


def test_claims_inside_a_token_split_it(nlp):
    """A tokenizer whose words straddle the claims (3-character chunks): the spans are still exact."""
    chunky = spacy.blank("zh")
    chunky.tokenizer = lambda text: Doc(chunky.vocab, words=[text[i:i + 3] for i in range(0, len(text), 3)],
                                        spaces=[False] * len(range(0, len(text), 3)))
    chunky.add_pipe("auditor_claims")
    before = chunky.make_doc(TEXT)
    bounds = {t.idx for t in before} | {t.idx + len(t.text) for t in before}
    expected = _expected(TEXT)
    assert any(c["start"] not in bounds or c["end"] not in bounds for c in expected)
    doc = chunky(TEXT)
    assert doc.text == TEXT
    assert _span_claims(doc) == expected


def test_docbin_round_trip(nlp, tmp_path):
    docbin = claims_docbin([TEXT, "全年开展巡查12次。\n"], nlp)
    path = tmp_path / "claims.spacy"
    docbin.to_disk(path)
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("zh").vocab))
    assert [d.text for d in docs] == [TEXT, "全年开展巡查12次。\n"]
    assert _span_claims(docs[0]) == _expected(TEXT)
    assert [(s.text, s._.value, s._.unit) for s in docs[1].spans["claims"]] == [("12次", 12, "次")]


def test_cli_writes_a_readable_docbin(tmp_path):
    from typer.testing import CliRunner

    from auditor.cli import app

    report = tmp_path / "r.txt"
    report.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "断言.spacy"
    result = CliRunner().invoke(app, ["claims", str(report), "--format", "spacy", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (doc,) = DocBin().from_disk(out).get_docs(spacy.blank("zh").vocab)
    assert doc.text == TEXT
    assert _span_claims(doc) == _expected(TEXT)
    missing = CliRunner().invoke(app, ["claims", str(report), "--format", "spacy"])
    assert missing.exit_code == 2 and "-o" in missing.output


def test_entry_point_registers_the_factory():
    """spaCy finds the factory through the package's entry point, without importing it first."""
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    assert names.get("auditor_claims") == "auditor.nlp.spacy_component:make_auditor_claims"


def test_cli_does_not_import_spacy_at_start_up():
    import subprocess
    import sys

    code = "import sys, auditor.cli, auditor.engine; print('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
