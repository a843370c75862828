"""An audited report's Document and Analysis are freed by reference counting as soon as they are let
go, not left to Python's cyclic collector: a batch worker audits hundreds of reports, and a cycle
through the Analysis (a result holding one of its bound methods, say) made the collector find
and free ~1,000 objects a report, ~5% of the worker's time."""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from pathlib import Path

from auditor.analysis import Analysis
from auditor.document import Document
from auditor.readers.text import build_document
from auditor.engine import collector_paused
from auditor.runner.worker import audit_task

# made-up report: prose with money amounts and rates (ParagraphAmounts), a sum, a budget table
TEXT = (
    "2024年度示例园林管理所部门整体支出绩效自评报告\n"
    "一、部门基本情况\n"
    "全年养护绿地120公顷，修剪行道树3500株，开展安全巡查48次。\n"
    "二、预算执行情况\n"
    "全年预算数200.00万元，其中：基本支出120.00万元，项目支出80.00万元。"
    "全年支出190.00万元，预算执行率95%。\n"
    "项目资金80.00万元，实际支出76.00万元，执行率95%，比上年增长5%。\n"
    "\t项目\n\t年初预算数\n\t全年预算数\n\t全年执行数\n\t执行率\n\n"
    "\t年度资金总额\n\t200.00\n\t200.00\n\t190.00\n\t95%\n\n"
)


class _CollectorOff:
    """The cyclic collector off, with everything collectable collected before."""

    def __enter__(self) -> None:
        gc.collect()
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self.was_enabled:
            gc.enable()


def test_an_analysis_with_every_field_computed_is_freed_without_the_collector() -> None:
    doc = build_document(TEXT, "<made-up: cycles>", "txt")
    analysis = Analysis(doc)
    for name in Analysis.extractors():
        getattr(analysis, name)
    assert len(analysis.money_statements) > 0  # the lazy paragraph amounts, read below
    assert any(analysis.money_statements[i] for i in analysis.money_statements)
    with _CollectorOff():
        alive = weakref.ref(analysis)
        del analysis, doc
        assert alive() is None
        assert not [o for o in gc.get_objects() if isinstance(o, Document) and o.path == "<made-up: cycles>"]


def test_a_workers_audit_leaves_nothing_of_the_report_to_the_collector(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(TEXT, encoding="utf-8")
    audit_task(str(path), None, True, True)  # warm: lazily built caches are not the report's
    flags = gc.get_debug()
    with _CollectorOff():
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            audit_task(str(path), None, True, True)
            gc.collect()
            left = Counter(type(o).__name__ for o in gc.garbage)
        finally:
            gc.set_debug(flags)
            gc.garbage.clear()
    assert not {"Document", "Analysis", "Paragraph", "Claim", "Statement", "Cell"} & set(left), left


def test_the_collector_is_paused_for_the_block_only() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector_paused():
            raise ValueError("a check that fails")
    except ValueError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # left as it was: off
    finally:
        gc.enable()


def test_a_worker_pauses_the_collector_while_checking_and_restores_it(tmp_path: Path, monkeypatch) -> None:
    import auditor.runner.worker as worker

    seen: list[bool] = []
    check = worker.check_report

    def spying(*args, **kwargs):
        seen.append(gc.isenabled())
        return check(*args, **kwargs)

    monkeypatch.setattr(worker, "check_report", spying)
    path = tmp_path / "report.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = audit_task(str(path), None, True, True)
    assert seen == [False]
    assert gc.isenabled()
    assert result.report.error is None and result.report.findings is not None
