"""A .docx built in the test, converted to PDF by LibreOffice: both give the same claims and findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.analysis import Analysis
from auditor.engine import audit_file
from formats_factory import docx_to_pdf, soffice_available
from test_docx_end_to_end import build_report

pytestmark = pytest.mark.skipif(not soffice_available(),
                                reason="LibreOffice (libreoffice-writer-nogui + fonts-noto-cjk) is not installed")


def _claims(report):
    return [(str(c.value), c.unit, c.mention.qualifier, c.where) for c in Analysis(report.document).claims]


def _findings(report):
    return [(f.rule, f.severity, f.values, [e.text for e in f.evidence]) for f in report.findings]


def test_docx_and_its_pdf_agree(tmp_path: Path) -> None:
    docx = build_report(tmp_path / "report.docx")
    [pdf] = docx_to_pdf([docx], tmp_path)
    from_docx, from_pdf = audit_file(docx), audit_file(pdf)
    assert from_pdf.error is None, from_pdf.error and from_pdf.error.message
    assert from_pdf.format == "pdf"
    assert (from_pdf.unit, from_pdf.year, from_pdf.kind) == (from_docx.unit, from_docx.year, from_docx.kind)
    assert _claims(from_pdf) == _claims(from_docx)
    assert _findings(from_pdf) == _findings(from_docx)
    assert sorted(f.rule for f in from_pdf.findings) == ["AR101", "AR102", "AR103"]
    for f in from_pdf.findings:
        for e in f.evidence:
            assert from_pdf.document.text[e.start:e.end] == e.text
