"""GBK, GB18030, UTF-8 with BOM and full-width-digit copies of the seeds give the same findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.engine import audit_file
from conftest import seed_path

FULL_WIDTH = str.maketrans("0123456789%", "０１２３４５６７８９％")


def _findings(report, shift: int = 0):
    return [(f.rule, f.severity, f.values, [(e.start - shift, e.end - shift) for e in f.evidence])
            for f in report.findings]


@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_encodings_and_full_width_digits(prefix: str, tmp_path: Path, seeds_dir) -> None:
    original = seed_path(prefix)
    text = original.read_text(encoding="utf-8")
    baseline = audit_file(original)
    assert baseline.findings

    # GBK has no U+00A0: a same-length space keeps every offset
    for name, data, shift in [("gbk.txt", text.replace("\xa0", " ").encode("gbk"), 0),
                              ("gb18030.txt", text.encode("gb18030"), 0),
                              ("bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8"), 1)]:
        copy = tmp_path / name
        copy.write_bytes(data)
        report = audit_file(copy)
        assert report.error is None, name
        assert (report.unit, report.year, report.kind) == (baseline.unit, baseline.year, baseline.kind)
        assert _findings(report, shift) == _findings(baseline), name

    wide = tmp_path / "full_width.txt"
    wide.write_text(text.translate(FULL_WIDTH), encoding="utf-8")
    report = audit_file(wide)
    assert (report.unit, report.year) == (baseline.unit, baseline.year)
    assert _findings(report) == _findings(baseline)
    for f in report.findings:  # evidence still quotes the original characters
        for e in f.evidence:
            assert report.document.text[e.start:e.end] == e.text
