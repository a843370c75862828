"""Subjects of numeric mentions: what each figure counts (synthetic sentences)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.extract.numbers import find_numbers
from auditor.extract.subjects import normalise_subject, subject_for

REPO = Path(__file__).resolve().parents[1]


def _subjects(text: str) -> list[tuple[str, str]]:
    return [(m.text, subject_for(text, m)) for m in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "surface", "subject"),
    [
        ("今年共召开常委会会议7次、主任会议14次。", "7次", "常委会会议"),
        ("今年共召开常委会会议7次、主任会议14次。", "14次", "主任会议"),
        ("全年举行人大常委会会议6次，主任会11次。", "6次", "常委会会议"),
        ("全年举行人大常委会会议6次，主任会11次。", "11次", "主任会议"),
        ("召开全县人代会两次。", "两次", "人民代表大会会议"),
        ("代表满意率96.5%。", "96.5%", "代表满意率"),
        ("办理质效明显提升，满意率96.5%。", "96.5%", "满意率"),
        ("全年累计开展执法检查5次。", "5次", "执法检查"),
        ("组织集中学习10次、专题研讨3次。", "3次", "专题研讨"),
        ("办理质效明显提升，215件意见全部按时办理。", "215件", "意见办理"),
        ("组织代表旁听常委会会议、参与专题询问、走访选民等900多人次。", "900多人次", "代表旁听常委会会议"),
        ("全年公务接待费1.86万元。", "1.86万元", "公务接待费"),
        ("发放学生资助1,234人次。", "1,234人次", "发放学生资助"),
        ("新建堤防3.5公里。", "3.5公里", "新建堤防"),
        ("其中基本支出812.4万元，项目支出96.3万元。", "96.3万元", "项目支出"),
    ],
)
def test_subject_for(text: str, surface: str, subject: str) -> None:
    found = dict(_subjects(text))
    assert found[surface] == subject, found


def test_subject_never_crosses_previous_number_or_clause_start() -> None:
    text = "专题调研6次执法检查4次"
    subjects = dict(_subjects(text))
    assert subjects["4次"] == "执法检查"
    mention = [m for m in find_numbers(text) if m.text == "4次"][0]
    assert subject_for(text, mention, clause_start=mention.start) == ""


def test_subject_is_not_a_filler_or_number() -> None:
    text = "全年共完成了12项。"
    (m,) = find_numbers(text)
    assert subject_for(text, m) == ""


@pytest.mark.parametrize(
    ("phrase", "canonical"),
    [
        ("人代会", "人民代表大会会议"),
        ("主任会", "主任会议"),
        ("主任会议", "主任会议"),
        ("常委会", "常委会会议"),
        ("人大常委会会议", "常委会会议"),
        ("常委会会议", "常委会会议"),
        ("“三公”经费", "三公经费"),
        ("群众满意度", "满意率"),
        ("执法检查", "执法检查"),
    ],
)
def test_normalise_subject(phrase: str, canonical: str) -> None:
    assert normalise_subject(phrase) == canonical


def test_synonyms_live_in_data() -> None:
    tsv = REPO / "auditor" / "data" / "indicator_synonyms.tsv"
    rows = [line.split("\t") for line in tsv.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    assert all(len(r) == 2 for r in rows)
    assert ["主任会议", "主任会"] in rows


def test_import_is_silent() -> None:
    code = ("from auditor.extract.numbers import find_numbers\n"
            "from auditor.extract.subjects import subject_for\n"
            "t='召开常委会会议8次。'\n"
            "print(subject_for(t, find_numbers(t)[0]))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=60, check=True)
    assert proc.stdout.strip() == "常委会会议"
    assert proc.stderr == ""
