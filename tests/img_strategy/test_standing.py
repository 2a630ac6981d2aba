"""Where a score stands: bands and filters from the rule tables, the text bar, alt text."""

from __future__ import annotations

from datetime import date

from img_strategy import ExamStatus, Profile
from img_strategy.standing import standing

TODAY = date(2026, 11, 26)


def test_general_table_for_internal_medicine_with_a_real_ck():
    s = standing(Profile(step2_score=228, specialty="internal_medicine"), TODAY)
    assert s.table == "general"
    assert [b.label for b in s.bands] == ["below 220", "220-229", "230-239", "240+", "250+"]
    assert [(t.low, t.high) for t in s.filters] == [(225, None), (228, 239), (240, 250)]
    assert s.text_bar() == "210 ─ 220 ─[228]─ 230 ─ 240 ─ 250"
    alt = s.alt_text()
    assert "Internal Medicine (general guidance)" in alt
    assert "Your CK: 228, in the 220-229 band (still matchable with a very strategic plan)" in alt
    assert "Competitive academic: 240-250+" in alt
    assert not s.estimated and "GEN.targets" in s.sources and "GEN.filters" in s.sources


def test_pediatrics_table_with_a_practice_estimate():
    profile = Profile(step2=ExamStatus.NOT_TAKEN, step2_practice=236, specialty="pediatrics")
    s = standing(profile, TODAY)
    assert s.table == "pediatrics" and s.estimated
    assert [b.label for b in s.bands] == ["below 225", "225-234", "235-244", "245+"]
    assert s.marker_label == "Your practice estimate: 236 (estimated)"
    assert s.text_bar() == "210 ─ 225 ─ 235 ─[236?]─ 245 ─ 250  (? = practice estimate)"
    assert "PEDS.bands" in s.sources and "PEDS.ck_cutoffs" in s.sources


def test_scores_beyond_the_axis_and_no_score():
    assert standing(Profile(step2_score=262), TODAY).text_bar().endswith("─[262]")
    assert standing(Profile(step2_score=205), TODAY).text_bar().startswith("[205]─ 210")
    empty = standing(Profile(), TODAY)
    assert "[" not in empty.text_bar() and "No CK score" in empty.alt_text()
    assert empty.band is None
