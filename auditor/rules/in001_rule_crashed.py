from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis import Analysis
from auditor.findings import Finding
from auditor.rules.registry import Rule, rule


@rule("IN001", "rule-crashed", "info")
def rule_crashed(analysis: Analysis, this: Rule) -> Iterator[Finding]:
    """一条规则运行出错：该规则对本报告的检查被跳过，其余规则照常运行。

    检查内容：某条规则处理某份报告时抛出异常，引擎就产生这条内部发现。该报告照常输出其他规则的全部发现；这条发现
    写明出错的规则和错误，因此检查覆盖上的缺口不会被误当成“报告无问题”。
    为何重要：一条有缺陷的规则不能毁掉整个批次，也不能掩盖某项检查没有运行。
    容差：无；本函数自身从不产生它，只由规则运行器产生。
    """
    return iter(())
