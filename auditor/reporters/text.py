"""The terminal reporter (rich): a ranking, then each report's findings with their evidence."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.display import scrub, terminal_safe

_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低", "info": "提示"}


def render_text(batch: dict[str, Any], console: Console) -> None:
    """Print the ranking and the findings. Every string is made terminal-safe first: a file name
    or a title carrying ``ESC [`` sequences is shown as ␛[…, never sent to the terminal raw."""
    batch = scrub(batch, terminal_safe)
    reports = batch["reports"]
    ranking = Table(title=f"风险排序（{len(reports)} 份报告）", show_lines=False)
    for column in ("排名", "风险", "等级", "单位", "年度", "高", "中", "低", "文件"):
        ranking.add_column(column, overflow="fold")
    for r in reports:
        counts = {s: sum(1 for f in r["findings"] if f["severity"] == s) for s in ("high", "medium", "low")}
        risk = "—" if r["risk_score"] is None else f"{r['risk_score']:.1f}"
        cells = (str(r["rank"]), risk, r.get("tier") or "", r["unit"] or "（未识别）", str(r["year"] or "—"),
                 str(counts["high"]), str(counts["medium"]), str(counts["low"]), r["path"])
        ranking.add_row(*(Text(cell) for cell in cells))  # Text: a "[red]" in a name is not markup
    console.print(ranking)
    for r in reports:
        console.print()
        head = Text(f"{r['rank']}. {r['path']}", style="bold")
        if r["error"]:
            head.append(f"  无法读取：[{r['error']['code']}] {r['error']['message']}", style="bold red")
            console.print(head)
            continue
        head.append(f"  {r['unit'] or '（未识别单位）'} {r['year'] or ''}年度  风险 {r['risk_score']}")
        console.print(head)
        if not r["findings"]:
            console.print("  未发现问题。", style="green")
        for f in r["findings"]:
            line = Text("  ")
            line.append(f"[{_SEVERITY_ZH.get(f['severity'], f['severity'])}] ", style=_SEVERITY_STYLE.get(f["severity"], ""))
            line.append(f"{f['rule']} {f['name']}：", style="bold")
            line.append(f["message"])
            console.print(line)
            for e in f["evidence"]:
                where = "表格" if e["where"] == "table" else "正文"
                section = f"｜{e['section']}" if e.get("section") else ""
                source = f"｜来源 {e['source']}" if e.get("source") else ""
                label = f"｜{e['location']['label']}" if (e.get("location") or {}).get("label") else ""
                console.print(Text(f"      {where}{section}{source}{label} @{e['start']}-{e['end']}：「{e['text']}」", style="dim"))
