"""Tests of the deterministic labelled report generator in corpora/."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from corpora.generate import ERROR_KINDS, SAMPLE_DIR, build_sample, generate_corpus, main

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
CENT = Decimal("0.01")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def read_corpus(folder: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    texts = {e["path"]: (folder / e["path"]).read_bytes().decode("utf-8") for e in manifest}
    return manifest, texts


def all_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]],
                                                               dict[str, str]]:
    folder = tmp_path_factory.mktemp("sample")
    build_sample(folder)
    manifest, texts = read_corpus(folder)
    return folder, manifest, texts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]],
                                                               dict[str, str]]:
    folder = tmp_path_factory.mktemp("corpus")
    generate_corpus(folder, n_units=24, years=[2022, 2023, 2024], seed=7, copy_rate=0.4,
                    inject_errors=True)
    manifest, texts = read_corpus(folder)
    return folder, manifest, texts


@pytest.fixture(scope="module")
def clean_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]],
                                                                     dict[str, str]]:
    folder = tmp_path_factory.mktemp("clean")
    generate_corpus(folder, n_units=16, years=[2023, 2024], seed=11)
    manifest, texts = read_corpus(folder)
    return folder, manifest, texts


# ----------------------------------------------------------------------------- determinism

def test_two_runs_give_identical_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate_corpus(tmp_path / name, n_units=6, years=[2023, 2024], seed=3, copy_rate=0.5,
                        inject_errors=True)
    first, second = all_bytes(tmp_path / "a"), all_bytes(tmp_path / "b")
    assert len(first) == 13  # 12 reports + manifest.json
    assert first == second


def test_different_seed_gives_different_corpus(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "a", n_units=3, years=[2024], seed=1)
    generate_corpus(tmp_path / "b", n_units=3, years=[2024], seed=2)
    assert all_bytes(tmp_path / "a") != all_bytes(tmp_path / "b")


def test_sample_is_reproducible_and_committed_copy_is_current(tmp_path: Path) -> None:
    build_sample(tmp_path / "a")
    build_sample(tmp_path / "b")
    generated = all_bytes(tmp_path / "a")
    assert generated == all_bytes(tmp_path / "b")
    assert 5 <= len(generated) - 1 <= 8
    # the bundled corpora/sample/ is exactly what --sample writes
    assert all_bytes(SAMPLE_DIR) == generated


def test_cli_sample_and_corpus(tmp_path: Path) -> None:
    assert main(["--sample", str(tmp_path / "s")]) == 0
    assert all_bytes(tmp_path / "s") == all_bytes(SAMPLE_DIR)
    assert main([str(tmp_path / "c"), "--units", "3", "--years", "2023", "2024", "--seed", "5",
                 "--copy-rate", "1", "--inject-errors"]) == 0
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest) == 6
    assert all(e["copies"] for e in manifest if e["year"] == 2024)


def test_script_invocation_works(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "corpora" / "generate.py"), str(tmp_path / "out"),
         "--units", "2", "--years", "2024", "--seed", "9"],
        capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.txt"))) == 2


def test_cli_rejects_missing_out_dir_and_bad_rate(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as missing:
        main([])
    assert missing.value.code == 2
    with pytest.raises(SystemExit) as bad_rate:
        main([str(tmp_path), "--copy-rate", "1.5"])
    assert bad_rate.value.code == 2
    with pytest.raises(ValueError):
        generate_corpus(tmp_path, n_units=0, years=[2024], seed=1)


# ----------------------------------------------------------------------------- labels

def check_labels_point_at_text(manifest: list[dict[str, Any]], texts: dict[str, str]) -> None:
    for entry in manifest:
        text = texts[entry["path"]]
        for mention in entry["figures"]:
            start, length = mention["offset"], mention["length"]
            assert text[start:start + length] == mention["text"], (entry["path"], mention)
            assert Decimal(NUMBER.search(mention["text"]).group()) == Decimal(mention["value"])
        for error in entry["errors"]:
            assert error["figures"], error
            for figure in error["figures"]:
                start, length = figure["offset"], figure["length"]
                assert text[start:start + length] == figure["text"]
        for copy in entry["copies"]:
            source = texts[copy["source"]]
            this = text[copy["this_offset"]:copy["this_offset"] + copy["this_length"]]
            origin = source[copy["source_offset"]:copy["source_offset"] + copy["source_length"]]
            assert this == origin and len(this) > 30
            # whole paragraphs: the passage starts and ends at line boundaries
            end = copy["this_offset"] + copy["this_length"]
            assert text[copy["this_offset"] - 1] == "\n" and text[end] == "\n"
            assert copy["content"] in ("year_specific", "template")
            assert copy["source_year"] < entry["year"]
            # stale framing: the copied passage names an earlier year (the source's, or an
            # older one when the source had itself copied it), never this report's year
            framed = {int(y) for y in re.findall(r"(20\d\d)年", this)}
            assert framed and max(framed) <= copy["source_year"]


def test_sample_labels_point_at_real_text(sample) -> None:
    _folder, manifest, texts = sample
    check_labels_point_at_text(manifest, texts)


def test_corpus_labels_point_at_real_text(corpus) -> None:
    _folder, manifest, texts = corpus
    check_labels_point_at_text(manifest, texts)


def test_sample_covers_every_error_kind_and_copies(sample) -> None:
    _folder, manifest, _texts = sample
    kinds = {e["kind"] for entry in manifest for e in entry["errors"]}
    assert kinds == set(ERROR_KINDS)
    copies = [c for entry in manifest for c in entry["copies"]]
    assert {c["kind"] for c in copies} >= {"section", "paragraphs"}
    assert any(c["content"] == "year_specific" for c in copies)
    assert {e["kind"] for e in manifest} == {"department", "project"}
    assert any(not e["errors"] and not e["copies"] for e in manifest)
    # 2 units with two years each, plus 2 single reports
    by_unit = defaultdict(list)
    for entry in manifest:
        by_unit[entry["unit"]].append(entry["year"])
    assert sorted(len(years) for years in by_unit.values()) == [1, 1, 2, 2]


def test_knobs_do_not_change_the_budget_figures(tmp_path: Path) -> None:
    plain = generate_corpus(tmp_path / "a", n_units=8, years=[2023, 2024], seed=5)
    noisy = generate_corpus(tmp_path / "b", n_units=8, years=[2023, 2024], seed=5,
                            copy_rate=1.0, inject_errors=True)
    assert [e["numbers"]["budget"] for e in plain] == [e["numbers"]["budget"] for e in noisy]
    assert [e["unit"] for e in plain] == [e["unit"] for e in noisy]
    assert any(e["errors"] for e in noisy) and any(e["copies"] for e in noisy)


def test_no_labels_without_the_knobs(clean_corpus) -> None:
    _folder, manifest, _texts = clean_corpus
    assert len(manifest) == 32
    assert all(not e["errors"] and not e["copies"] for e in manifest)


def test_random_corpus_has_errors_and_copies_of_all_kinds(corpus) -> None:
    _folder, manifest, _texts = corpus
    kinds = {e["kind"] for entry in manifest for e in entry["errors"]}
    assert kinds == set(ERROR_KINDS)
    contents = {c["content"] for entry in manifest for c in entry["copies"]}
    assert contents == {"year_specific", "template"}
    assert any(not e["errors"] for e in manifest)
    assert all(not e["copies"] for e in manifest if e["year"] == 2022)


# ----------------------------------------------------------------------------- consistency

def figure_values(entry: dict[str, Any]) -> dict[str, set[Decimal]]:
    values: dict[str, set[Decimal]] = defaultdict(set)
    for mention in entry["figures"]:
        if not mention["stale"]:
            values[mention["key"]].add(Decimal(mention["value"]))
    return values


def check_scores(indicators: list[dict[str, Any]], rate_score: Decimal, total: Decimal) -> None:
    weights = sum(i["weight"] for i in indicators)
    assert weights == 90
    for row in indicators:
        score = Decimal(row["score"])
        if not row["met"]:
            assert score < row["weight"]
            assert Decimal(row["actual"]) < Decimal(row["target"])
            assert row["reason"]
        assert 0 <= score <= row["weight"]
    assert sum(Decimal(i["score"]) for i in indicators) + rate_score == total


def check_budget(budget: dict[str, Any]) -> None:
    d = {k: Decimal(str(v)) for k, v in budget.items()}
    assert d["rate"] == q2(d["executed"] * 100 / d["adjusted"])
    assert d["rate_score"] == q2(d["rate_weight"] * d["rate"] / 100)
    assert d["executed"] <= d["adjusted"]


def check_consistent(entry: dict[str, Any]) -> None:
    numbers = entry["numbers"]
    budget = {k: Decimal(str(v)) for k, v in numbers["budget"].items()}
    check_budget(numbers["budget"])
    check_scores(numbers["indicators"], budget["rate_score"], Decimal(numbers["total_score"]))
    if entry["kind"] == "department":
        projects = numbers["projects"]
        assert budget["adjusted"] == budget["basic"] + budget["project"]
        assert budget["executed"] == budget["basic_exec"] + budget["project_exec"]
        assert budget["basic_exec"] == budget["personnel"] + budget["public"]
        assert budget["project"] == sum(Decimal(p["adjusted"]) for p in projects)
        assert budget["project_exec"] == sum(Decimal(p["executed"]) for p in projects)
        assert budget["initial"] == budget["basic_initial"] + sum(
            Decimal(p["initial"]) for p in projects)
        staff = numbers["staff"]
        assert staff["total"] == staff["admin"] + staff["institution"] + staff["retired"]
        for project in projects:
            check_budget({k: project[k] for k in ("adjusted", "executed", "rate", "rate_weight",
                                                  "rate_score")})
            check_scores(project["indicators"], Decimal(project["rate_score"]),
                         Decimal(project["total_score"]))
    else:
        assert budget["adjusted"] == budget["upper"] + budget["local"]
        assert budget["executed"] == budget["use_main"] + budget["use_other"]
    # every figure written in the text agrees with every other mention of the same quantity
    values = figure_values(entry)
    for key, found in values.items():
        assert len(found) == 1, (entry["path"], key, found)
    expected = {
        "budget.adjusted": budget["adjusted"], "budget.executed": budget["executed"],
        "budget.initial": budget["initial"], "budget.rate": budget["rate"],
        "budget.rate_score": budget["rate_score"],
        "score.total": Decimal(numbers["total_score"]),
        "satisfaction": Decimal(numbers["satisfaction"]),
    }
    if entry["kind"] == "department":
        expected.update({f"staff.{k}": Decimal(v) for k, v in numbers["staff"].items()})
        expected.update({"budget.personnel": budget["personnel"],
                         "budget.public": budget["public"]})
    for name, count in numbers["activities"].items():
        if f"activity.{name}" in values:
            expected[f"activity.{name}"] = Decimal(count)
    for key, value in expected.items():
        assert values[key] == {value}, (entry["path"], key, values[key], value)
    # table sums inside project tables: current-year money + carry-over = total, per column
    for key, found in values.items():
        match = re.fullmatch(r"(.+)\.current\.(initial|adjusted|executed)", key)
        if match:
            total = values[f"{match.group(1)}.{match.group(2)}"]
            carry = values[f"{match.group(1)}.carryover.{match.group(2)}"]
            assert {next(iter(found)) + next(iter(carry))} == total


def test_clean_reports_are_internally_consistent(clean_corpus, sample, corpus) -> None:
    checked = 0
    for _folder, manifest, _texts in (clean_corpus, sample, corpus):
        for entry in manifest:
            if not entry["errors"]:
                check_consistent(entry)
                checked += 1
    assert checked > 40


def test_clean_corpus_has_legitimate_misses_with_deductions(clean_corpus) -> None:
    _folder, manifest, _texts = clean_corpus
    missed = [row for entry in manifest for row in entry["numbers"]["indicators"]
              if not row["met"]]
    assert missed  # traps: a target missed and honestly deducted is not an error
    assert all(Decimal(row["score"]) < row["weight"] for row in missed)


def test_injected_errors_are_real_inconsistencies(sample, corpus) -> None:
    """Recompute each labelled defect from the figures as written: it must not add up."""
    for _folder, manifest, _texts in (sample, corpus):
        for entry in manifest:
            values = figure_values(entry)
            numbers = entry["numbers"]
            for error in entry["errors"]:
                wrong = [f for f in error["figures"] if f["role"] == "wrong"]
                kind = error["kind"]
                if kind != "missed_target_full_marks":
                    assert wrong, error
                    assert all(Decimal(f["value"]) == Decimal(error["stated"]) for f in wrong)
                    assert Decimal(error["stated"]) != Decimal(error["expected"])
                if kind == "narrative_sum":
                    by_key = {f["key"]: Decimal(f["value"]) for f in error["figures"]}
                    keys = sorted(by_key)
                    total_key = {"staff": "staff.total", "basic_split": "budget.basic_exec",
                                 "funding_split": "budget.adjusted"}[error["variant"]]
                    parts = sum(v for k, v in by_key.items() if k != total_key)
                    assert abs(parts - by_key[total_key]) >= Decimal("1"), keys
                elif kind == "table_rate":
                    adjusted = Decimal(numbers["budget"]["adjusted"])
                    executed = Decimal(numbers["budget"]["executed"])
                    computed = executed * 100 / adjusted
                    stated = Decimal(error["stated"])
                    places = Decimal(1).scaleb(stated.as_tuple().exponent)
                    assert computed.quantize(places, ROUND_HALF_UP) != stated
                    assert any(f["where"] == "table" for f in wrong)
                elif kind == "score_total":
                    table_sum = (sum(Decimal(i["score"]) for i in numbers["indicators"])
                                 + Decimal(numbers["budget"]["rate_score"]))
                    assert Decimal(error["stated"]) != table_sum
                    assert Decimal(error["expected"]) == table_sum
                elif kind == "narrative_table_mismatch":
                    key = wrong[0]["key"]
                    assert wrong[0]["where"] == "narrative"
                    assert len(values[key]) == 2  # narrative and table disagree
                    assert any(f["where"] == "table" and f["role"] == "reference"
                               for f in error["figures"])
                elif kind == "missed_target_full_marks":
                    roles = {f["role"] for f in error["figures"]}
                    assert {"target", "actual", "score"} <= roles
                    row = next(i for i in numbers["indicators"]
                               if f"ind.{i['name']}.score" in {f["key"] for f in error["figures"]})
                    assert not row["met"] and Decimal(row["score"]) == row["weight"]
                    assert Decimal(row["actual"]) < Decimal(row["target"])


# ----------------------------------------------------------------------------- format

def parse_table(text: str) -> list[list[str]]:
    """Rows of cells from a flattened table: a TAB starts a cell, a blank line followed by a
    TAB line ends a row, other lines continue the current cell."""
    lines = text.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    rows: list[list[str]] = [[]]
    for index, line in enumerate(lines):
        if line.startswith("\t"):
            rows[-1].append(line[1:])
        elif line == "" and index + 1 < len(lines) and lines[index + 1].startswith("\t"):
            rows.append([])
        else:
            assert rows[-1], f"text outside a cell: {line!r}"
            rows[-1][-1] += "\n" + line
    return rows


def test_tables_follow_the_flattened_export_format(sample, corpus) -> None:
    for _folder, manifest, texts in (sample, corpus):
        for entry in manifest:
            text = texts[entry["path"]]
            assert entry["tables"]
            for table in entry["tables"]:
                start, length = table["offset"], table["length"]
                body = text[start:start + length]
                assert body.startswith("\t") and body.endswith("\n")
                assert "\n\n\n" not in body  # rows separated by exactly one blank line
                # two or more blank lines after the table
                assert text[start + length:start + length + 2] == "\n\n"
                assert text[start - 1] == "\n"
                rows = parse_table(body)
                assert len(rows) == table["rows"]
                assert [len(r) for r in rows] == table["cells_per_row"]
                if "部门整体" in table["title"]:
                    header = next(r for r in rows if "一级指标" in r)
                    assert header[-1] == "偏差原因分析及改进措施"
                    indicator_rows = [r for r in rows if len(r) == 9 and r is not header]
                    assert len(indicator_rows) >= 10
                    assert rows[-1][0] == "总分"
                    # 一级指标 merged vertically: the continuation rows leave it empty
                    assert sum(1 for r in indicator_rows if r[1] == "") >= 7
                    budget_row = next(r for r in rows if "年度资金总额" in r)
                    assert budget_row[0] == ""


def test_report_layout(sample) -> None:
    _folder, manifest, texts = sample
    for entry in manifest:
        text = texts[entry["path"]]
        year = entry["year"]
        title = text.split("\n", 1)[0]
        assert title.startswith(f"{year}年度{entry['unit']}")
        assert title.endswith("自评报告")
        assert re.search(rf"\n{year + 1}年\d{{1,2}}月\d{{1,2}}日\n", text)
        assert "存在的问题及原因分析" in text and "下一步改进措施" in text
        if entry["kind"] == "department":
            assert "部门整体支出绩效自评报告" in title
            for heading in ("一、部门基本情况", "二、一般公共预算支出情况", "（一）基本支出情况"):
                assert f"\n{heading}\n" in text
            assert re.search(r"全年预算数[\d.]+万元，其中：基本支出[\d.]+万元，项目支出[\d.]+万元",
                             text)
            assert re.search(r"共有人数\d+人，其中：", text)
            assert re.search(r"满意率\d+(\.\d)?%", text)
        else:
            assert "项目支出绩效自评报告" in title


def test_years_differ_but_share_template(sample) -> None:
    _folder, manifest, texts = sample
    by_unit = defaultdict(dict)
    for entry in manifest:
        by_unit[entry["unit"]][entry["year"]] = entry
    pairs = [years for years in by_unit.values() if len(years) == 2]
    assert len(pairs) == 2
    for years in pairs:
        old, new = years[2023], years[2024]
        old_text, new_text = texts[old["path"]], texts[new["path"]]
        assert old["numbers"]["budget"] != new["numbers"]["budget"]
        old_lines, new_lines = set(old_text.split("\n")), set(new_text.split("\n"))
        narrative_new = {line for line in new_lines if len(line) > 25 and "\t" not in line}
        assert narrative_new - old_lines  # some sentences are new or reworded
        for section in ("problems", "measures"):  # generic template text is repeated
            a, b = old["sections"][section], new["sections"][section]
            assert (old_text[a["offset"]:a["offset"] + a["length"]]
                    == new_text[b["offset"]:b["offset"] + b["length"]])


def test_units_and_counties_vary(corpus) -> None:
    _folder, manifest, _texts = corpus
    assert len({e["department"] for e in manifest}) >= 6
    assert len({e["county"] for e in manifest}) >= 4
    assert len({e["unit"] for e in manifest if e["kind"] == "department"}) == len(
        {(e["unit"]) for e in manifest if e["kind"] == "department"})


# ----------------------------------------------------------------------------- seeds

def seed_substrings(width: int = 20) -> set[str]:
    found: set[str] = set()
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            line = line.strip()
            for start in range(len(line) - width + 1):
                piece = line[start:start + width]
                if piece.strip():
                    found.add(piece)
    return found


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed reports not available")
def test_no_seed_sentence_appears_in_output(sample, corpus) -> None:
    forbidden = seed_substrings()
    assert len(forbidden) > 10000
    for _folder, manifest, texts in (sample, corpus):
        for entry in manifest:
            text = texts[entry["path"]]
            for line in text.split("\n"):
                for start in range(len(line) - 19):
                    assert line[start:start + 20] not in forbidden, (entry["path"], line)
