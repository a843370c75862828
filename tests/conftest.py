from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed reports not found at {SEEDS}")
    return SEEDS


def seed_path(prefix: str) -> Path:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not found in {SEEDS}")
    return matches[0]


def audit_seeds(seeds_dir: Path, rules: list[str] | None = None) -> dict:
    """The seeds audited as one batch, by their three-digit prefix ("000" …)."""
    from auditor.batch import audit

    return {r.path.rsplit("/", 1)[-1][:3]: r for r in audit(seeds_dir, rules=rules).reports}


def by_rule(report, code: str) -> list:
    """The report's findings of one rule."""
    return [f for f in report.findings if f.rule == code]
