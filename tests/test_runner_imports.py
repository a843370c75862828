"""The import graph of the auditor package, function-level imports included (read with ast, nothing
is imported): the runner package's modules take part in no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "auditor"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the auditor modules it imports anywhere in its body (``from a import b`` counts as
    ``a.b`` when that is a module, else ``a``)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _cycles_through(graph: dict[str, set[str]], start: str) -> list[list[str]]:
    """Import paths that lead from ``start`` back to itself (one per first step, enough to report)."""
    found = []
    for first in sorted(graph[start]):
        stack, seen = [(first, [start, first])], {first}
        while stack:
            node, path = stack.pop()
            if node == start:
                found.append(path)
                break
            for nxt in sorted(graph.get(node, ())):
                if nxt == start or nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return found


def test_the_graph_sees_function_level_imports() -> None:
    graph = import_graph()
    assert "auditor.runner.interrupt" in graph["auditor.batch"]  # imported inside run_batch
    assert "auditor.runner.startup" in graph["auditor.batch"]


def test_no_runner_module_is_part_of_an_import_cycle() -> None:
    graph = import_graph()
    runner = [m for m in graph if m == "auditor.runner" or m.startswith("auditor.runner.")]
    assert len(runner) >= 3
    cycles = {m: _cycles_through(graph, m) for m in runner}
    assert {m: c for m, c in cycles.items() if c} == {}


def test_the_cycle_search_finds_a_cycle_and_only_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert _cycles_through(graph, "a") == [["a", "b", "c", "a"]]
    assert _cycles_through(graph, "d") == []


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or not (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_the_whole_package_has_no_import_cycle() -> None:
    """Readers, the Document, extractors, the Analysis, rules, the engine, the executors and the
    reporters import downwards only (function-level imports included)."""
    assert _strongly_connected(import_graph()) == []


def test_the_cycle_finder_finds_a_group() -> None:
    assert _strongly_connected({"a": {"b"}, "b": {"a", "c"}, "c": set()}) == [["a", "b"]]
