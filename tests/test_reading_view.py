"""The same-length reading view and patterns that match through its blanked glosses."""

from __future__ import annotations

from auditor.extract.views import gapped, plain, reading_view


def test_the_view_keeps_every_offset() -> None:
    text = "完成年初預(yù)算100%；本年開(kāi)支大于計劃12.5萬元"
    view = reading_view(text)
    assert len(view) == len(text)
    assert view[text.index("100%"):].startswith("100%")
    assert plain(view).startswith("完成年初预算100%；本年开支大于计划")


def test_a_gapped_pattern_matches_across_blanked_glosses_and_optional_characters() -> None:
    view = reading_view("本年開(kāi)支大于計劃12.5萬元")
    exceeds = gapped(r"(?:开支数?|支出数)(?:大于|超过)计划数?")
    found = exceeds.search(view)
    assert found is not None and view[found.end():].startswith("12.5")
    assert gapped(r"开支数?大于").search(reading_view("开支大于计划")) is not None  # 数 left out
    assert gapped(r"开支数大于").search(reading_view("开支数小于计划")) is None
