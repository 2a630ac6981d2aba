"""Step 2 CK pass marks by exam date (F3, F4)."""

from __future__ import annotations

from datetime import date

from img_strategy.passmarks import CkResult, mark_on, read_ck
from img_strategy.tables import default_rules

RULES = default_rules()


def test_mark_in_force_on_each_exam_date():
    assert mark_on(RULES, date(2022, 6, 30)).score == 209
    assert mark_on(RULES, date(2022, 7, 1)).score == 214
    assert mark_on(RULES, date(2025, 6, 30)).score == 214
    assert mark_on(RULES, date(2025, 7, 1)).score == 218


def test_214_to_217_pass_before_july_2025_and_fail_from_then():
    for score in range(214, 218):
        assert read_ck(RULES, score, date(2025, 3, 1)).result == CkResult.PASS
        assert read_ck(RULES, score, date(2025, 7, 1)).result == CkResult.FAIL
        undated = read_ck(RULES, score)
        assert undated.result == CkResult.DEPENDS_ON_DATE
        assert undated.cutoff is not None and undated.cutoff.since == date(2025, 7, 1)
        assert undated.mark_before is not None and undated.mark_before.score == 214


def test_clear_passes_and_fails_need_no_date():
    assert read_ck(RULES, 218).result == CkResult.PASS
    assert read_ck(RULES, 208).result == CkResult.FAIL
    assert read_ck(RULES, 211).cutoff.since == date(2022, 7, 1)  # type: ignore[union-attr]
