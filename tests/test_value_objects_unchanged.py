"""Number mentions and passages are never changed once made.

Their classes are not frozen (a frozen dataclass's construction costs five to eight times as much, and
a report makes hundreds of them, in the worker and again in the cross phase), yet each is shared: a
report's number pass by every extractor, every rule and the cross-report checks, its passages by every
report that takes it as a reference. One reader assigning to one would change what the others read.
Here the classes are made to refuse assignment after construction, and a whole batch (every rule and
the cross-report phase) must still run through without one.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from auditor.extract.numbers import NumberMention
from auditor.reuse.material import Passage

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"
VALUE_CLASSES = (NumberMention, Passage)


class _Assigned(AssertionError):
    pass


@pytest.fixture
def refusing_assignment(monkeypatch: pytest.MonkeyPatch):
    set_field = object.__setattr__

    for cls in VALUE_CLASSES:
        names = tuple(cls.__dataclass_fields__)

        def init(self, *args, _names=names, **kwargs):
            values = dict(zip(_names, args), **kwargs)
            for name in _names:
                set_field(self, name, values[name])

        def refuse(self, name, value):
            raise _Assigned(f"{type(self).__name__}.{name} assigned after construction")

        def unpickle(self, state):  # pickle's default state of a slots class: (None, {slot: value})
            for name, value in state[1].items():
                set_field(self, name, value)

        monkeypatch.setattr(cls, "__init__", init)
        monkeypatch.setattr(cls, "__setattr__", refuse)
        monkeypatch.setattr(cls, "__setstate__", unpickle, raising=False)
    yield


def test_the_guard_refuses_an_assignment(refusing_assignment) -> None:
    mention = NumberMention(0, 3, "12次", Decimal(12), "次", "none", 1, Decimal("0.5"), 0, None, 0, 2)
    passage = Passage(0, 8, 0, 0, False, "全年开展调研12次")
    with pytest.raises(_Assigned):
        mention.unit = "人"
    with pytest.raises(_Assigned):
        passage.key = ""
    assert mention.unit == "次" and passage.key == "全年开展调研12次"


def test_they_hash_and_compare_on_their_fields() -> None:
    a = NumberMention(0, 3, "12次", Decimal(12), "次", "none", 1, Decimal("0.5"), 0, None, 0, 2)
    b = NumberMention(0, 3, "12次", Decimal("12.0"), "次", "none", 1, Decimal("0.5"), 0, None, 0, 2)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert Passage(0, 8, 0, 0, False, "甲") in {Passage(0, 8, 0, 0, False, "甲")}


def test_a_batch_never_assigns_to_one(refusing_assignment) -> None:
    from auditor.batch import run_batch

    batch = run_batch([SAMPLE], jobs=1, engine="inline", progress=False)
    audited = [r for r in batch.reports if r.error is None]
    assert len(audited) >= 5
    assert [f for r in audited for f in r.findings if f.rule == "IN001"] == []  # no rule raised
    assert any(f.rule.startswith("RU") for r in audited for f in r.findings)  # the cross phase ran
