"""The extraction graph is declared and the declarations are true.

Every Analysis field names the fields it requires and every rule names the fields it reads
(spaCy's requires/assigns). These tests read the code (its syntax tree) and check that each
declaration says exactly what the code does, and that extractor modules never reach up to the
Analysis (they take their inputs as arguments).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import auditor
from auditor.analysis import Analysis
from auditor.rules import all_rules

PACKAGE = Path(auditor.__file__).resolve().parent
# views of a field: reading them is reading the field
VIEWS = {"numbers_in": "numbers", "_mentions_in": "numbers"}


def _reads(tree: ast.AST, name: str) -> set[str]:
    """The attributes read from the variable ``name`` (``self.forms`` → "forms"), views mapped."""
    return {VIEWS.get(n.attr, n.attr) for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name}


def test_every_analysis_field_reads_exactly_what_it_requires() -> None:
    fields = Analysis.extractors()
    assert {"numbers", "forms", "claims", "indicator_statements", "sum_groups"} <= fields.keys()
    for name, requires in fields.items():
        fn = vars(Analysis)[name].func
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        read = _reads(tree, "self") - {"doc", name}
        assert read == set(requires), f"Analysis.{name} declares {requires}, reads {sorted(read)}"
        assert all(r in fields for r in requires), f"Analysis.{name} requires an unknown field"


def test_the_graph_has_no_cycle() -> None:
    fields = Analysis.extractors()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"cycle: {' → '.join(path + (name,))}"
        if name in done:
            return
        for required in fields[name]:
            visit(required, path + (name,))
        done.add(name)

    for name in fields:
        visit(name, ())


def test_every_rule_declares_the_fields_it_reads() -> None:
    fields = Analysis.extractors()
    for r in all_rules():
        module = inspect.getmodule(r.check)
        tree = ast.parse(inspect.getsource(module))
        read = _reads(tree, "analysis") - {"doc"}
        declared = set(r.requires)
        assert read <= declared, f"{r.code} reads {sorted(read - declared)} without declaring it"
        assert declared <= set(fields) | {"references"}, f"{r.code} requires an unknown field"
        assert ("references" in declared) == r.uses_references, f"{r.code}: references and uses_references disagree"
        # a field declared but not read directly is read by the reuse helpers the rule hands its analysis
        unread = declared - read - {"references"}
        assert not unread or r.uses_references, f"{r.code} declares {sorted(unread)} but never reads it"


def test_extractor_modules_do_not_import_the_analysis() -> None:
    for path in sorted((PACKAGE / "extract").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert "auditor.analysis" not in imported, f"{path.name} imports auditor.analysis"
