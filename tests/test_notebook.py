"""notebooks/screening.ipynb runs top to bottom on the project's venv python (nbclient)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "screening.ipynb"
KERNEL = "auditor-venv"


@pytest.fixture
def venv_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernelspec whose interpreter is this very python (the project's venv), found first."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "auditor (venv)", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return KERNEL


def test_screening_notebook_executes_and_plots(tmp_path: Path, venv_kernel: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITOR_NOTEBOOK_OUT", str(tmp_path / "out"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name=venv_kernel, timeout=120,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the ranking chart, inline
    assert (tmp_path / "out" / "risk_ranking.png").stat().st_size > 1000
    text = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "份报告" in text
    html_tables = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("risk_score" in t for t in html_tables)  # the reports DataFrame was displayed
