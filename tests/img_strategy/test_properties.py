"""Properties over the whole profile space, including unknown fields."""

from __future__ import annotations

import contextlib
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from img_strategy import (
    ExamStatus,
    Profile,
    Question,
    UsceKind,
    Visa,
    advise,
    assess,
    default_rules,
    program_range,
    render,
    render_reasons,
)
from img_strategy.parsing import (
    ParseError,
    facts_from_mentions,
    parse_attempts,
    parse_months,
    parse_number,
    parse_score,
    parse_specialty,
    parse_visa,
    parse_year,
)
from tests.img_strategy.support import TODAY

RULES = default_rules()
SPECIALTIES = sorted(RULES.specialties)

scores = st.integers(min_value=1, max_value=300)
maybe = lambda s: st.none() | s  # noqa: E731

profiles = st.builds(
    Profile,
    step1=maybe(st.sampled_from(ExamStatus)),
    step1_score=maybe(scores),
    step1_attempts=maybe(st.integers(1, 4)),
    step2=maybe(st.sampled_from(ExamStatus)),
    step2_score=maybe(scores),
    step2_attempts=maybe(st.integers(1, 4)),
    step2_practice=maybe(scores),
    step3=maybe(st.sampled_from(ExamStatus)),
    visa=maybe(st.sampled_from(Visa)),
    graduation_year=maybe(st.integers(1981, 2026)),
    usce_months=maybe(st.integers(0, 120)),
    usce_kind=maybe(st.sampled_from(UsceKind)),
    specialty=maybe(st.sampled_from(SPECIALTIES)),
)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(profiles, st.sampled_from(Question))
def test_no_exception_for_any_profile_and_question(profile, question):
    advice = advise(question, profile, today=TODAY)
    assert advice.verdict
    assert render(advice) and render_reasons(advice)
    advice.to_json()


@FAST
@given(profiles, st.sampled_from(SPECIALTIES), scores, scores)
def test_higher_ck_never_worse_outlook_nor_more_programs(profile, specialty, a, b):
    low, high = sorted((a, b))
    worse = profile.with_changes(step2_score=low, specialty=specialty)
    better = profile.with_changes(step2_score=high, specialty=specialty)
    assessed_low = assess(RULES, worse, specialty, TODAY)
    assessed_high = assess(RULES, better, specialty, TODAY)
    assert assessed_high.outlook >= assessed_low.outlook
    count_low, _ = program_range(RULES, worse, assessed_low)
    count_high, _ = program_range(RULES, better, assessed_high)
    assert count_high.at_most_as_large_as(count_low)


@FAST
@given(profiles, st.sampled_from(SPECIALTIES), st.sampled_from(["step1", "step2"]))
def test_a_failed_attempt_never_improves_the_verdict(profile, specialty, exam):
    profile = profile.with_changes(specialty=specialty)
    attempts = getattr(profile, f"{exam}_attempts") or 1
    status = getattr(profile, exam)
    failed_status = (
        ExamStatus.FAILED if status == ExamStatus.FAILED else (ExamStatus.FAILED_THEN_PASSED)
    )
    after = profile.with_changes(**{f"{exam}_attempts": attempts + 1, exam: failed_status})
    before_outlook = assess(RULES, profile, specialty, TODAY).outlook
    after_outlook = assess(RULES, after, specialty, TODAY).outlook
    if before_outlook is not None and after_outlook is not None:
        assert after_outlook <= before_outlook
    # The same holds for the full answer's program count.
    before_count = advise(Question.PROGRAMS, profile, today=TODAY).program_count
    after_count = advise(Question.PROGRAMS, after, today=TODAY).program_count
    assert before_count is not None and after_count is not None
    assert before_count.at_most_as_large_as(after_count)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_parsers_raise_only_parse_errors(text):
    for parser in (
        parse_number,
        parse_score,
        parse_attempts,
        parse_months,
        parse_specialty,
        parse_visa,
        parse_year,
    ):
        with contextlib.suppress(ParseError):
            parser(text)
    facts_from_mentions(text, [], today=TODAY)


# The general article's order of attainability for non-US IMGs: FM, IM (community-heavy),
# Peds, then Psych and Neuro, then the very competitive fields. The pediatrics tables refine
# pediatrics answers and never lift Peds above a field the general article ranks higher.
ARTICLE_ORDER = (
    ("family_medicine",),
    ("internal_medicine",),
    ("pediatrics",),
    ("psychiatry", "neurology"),
    tuple(s for s, spec in RULES.specialties.items() if spec.group.value == "highly_competitive"),
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_one_scale_across_specialties_in_the_general_articles_order(profile):
    outlooks = [
        [assess(RULES, profile, sid, TODAY).outlook for sid in tier] for tier in ARTICLE_ORDER
    ]
    for higher, lower in pairwise(outlooks):
        if None in higher or None in lower:
            assert all(o is None for o in higher + lower)  # unknown CK: no outlook anywhere
            continue
        assert min(higher) >= max(lower), (profile, outlooks)
    ranked = advise(Question.REALISTIC_SPECIALTIES, profile, today=TODAY).recommendations
    lines = [line.split(":")[0] for line in ranked if line.endswith(".") and ": " in line]
    names = [RULES.specialties[s].name for s in RULES.realism_candidates]
    shown = [name for name in lines if name in names]
    if "Pediatrics" in shown:
        for first in ("Family Medicine", "Internal Medicine"):
            assert shown.index(first) < shown.index("Pediatrics"), shown
