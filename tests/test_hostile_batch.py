"""Issue 7's list of hostile inputs in one batch: each gets its own clear error; the batch completes,
and the good report in it is still audited."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from auditor.cli import app
import formats_factory as formats
import hostile_factory as hostile

FLAG = Path(__file__).resolve().parent / "fixtures" / "rules" / "AR101" / "flag_income_parts_exceed_total.txt"


def _text_pdf(folder: Path) -> Path:
    """A small real PDF with a text layer (Pillow cannot write text, so build it with pypdf)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = folder / "plain.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_hostile_inputs_each_get_their_own_error(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    expected = {
        hostile.empty_file(batch, "empty.txt").name: "empty-file",
        hostile.junk_docx(batch).name: "format-mismatch",
        hostile.truncated_docx(batch).name: "corrupt-docx",
        hostile.renamed_doc(batch).name: "format-mismatch",
        hostile.xxe_docx(batch).name: "xml-entity",
        hostile.billion_laughs_docx(batch).name: "xml-entity",
        hostile.zip_bomb_docx(batch).name: "zip-bomb",
        hostile.fake_pdf(batch).name: "format-mismatch",
        formats.encrypt_pdf(_text_pdf(tmp_path), batch / "encrypted.pdf").name: "encrypted-pdf",
        formats.build_scanned_pdf(batch / "scanned.pdf").name: "scanned-pdf",
        hostile.binary_txt(batch).name: "binary-text",
    }
    (batch / "good.txt").write_text(FLAG.read_text(encoding="utf-8"), encoding="utf-8")

    # every file is read under a per-file timeout, so a hanging parser cannot hang the batch
    result = CliRunner().invoke(app, ["check", str(batch), "--format", "json", "--timeout", "60"])
    assert result.exit_code == 0, result.output
    reports = {Path(r["path"]).name: r for r in json.loads(result.stdout)["reports"]}
    assert set(reports) == set(expected) | {"good.txt"}
    for name, code in expected.items():
        error = reports[name]["error"]
        assert error is not None, name
        assert error["code"] == code, (name, error)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error  # explained in Chinese
        assert reports[name]["findings"] == [] and reports[name]["risk_score"] is None
    assert "OCR" in reports["scanned.pdf"]["error"]["message"]
    assert reports["good.txt"]["error"] is None and reports["good.txt"]["findings"]
    assert reports["good.txt"]["rank"] == 1  # error reports rank after every audited one


def test_html_report_shows_script_as_text(tmp_path: Path) -> None:
    doc = tmp_path / "script.txt"
    doc.write_text("一、情况\n<script>alert(1)</script>全年预算数100.00万元，其中基本支出60.00万元，项目支出50.00万元。\n",
                   encoding="utf-8")
    out = tmp_path / "r.html"
    assert CliRunner().invoke(app, ["check", str(doc), "--format", "html", "-o", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
