"""The project's spaCy pipeline, built in-process from the repo's patterns."""

from __future__ import annotations

import pytest

from img_nlp.build import ENTITY_LABELS, build_pipeline
from img_strategy import ExamStatus, Visa
from img_strategy.parsing import Label, Mention, facts_from_mentions
from tests.img_strategy.support import TODAY


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def ents(nlp, text: str) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in nlp(text).ents if e.label_ in ENTITY_LABELS]


def test_whatsapp_message(nlp):
    assert ents(nlp, "failed S1 once, CK 228, need J1, peds?") == [
        ("failed", "exam_result"),
        ("S1", "exam"),
        ("once", "attempts"),
        ("CK", "exam"),
        ("228", "score"),
        ("J1", "visa"),
        ("peds", "specialty"),
    ]


def test_words_years_durations(nlp):
    assert ents(nlp, "step 2 two hundred and thirty five") == [
        ("step 2", "exam"),
        ("two hundred and thirty five", "score"),
    ]
    assert ents(nlp, "graduated 6 years ago, 3 months observership") == [
        ("6 years ago", "years_since_grad"),
        ("3 months", "usce_duration"),
        ("observership", "usce_type"),
    ]
    assert ents(nlp, "yog 2019, green card") == [("2019", "grad_year"), ("green card", "visa")]


def test_counts_that_are_not_scores(nlp):
    assert ents(nlp, "should i apply to 100 programs or 120 programs") == []
    assert ents(nlp, "should i wait a year to apply") == []


def test_lowercase_im_only_in_specialty_context(nlp):
    assert ents(nlp, "im a j1 applicant applying for im") == [("j1", "visa"), ("im", "specialty")]
    assert ents(nlp, "Im not sure") == []
    assert ents(nlp, "IM or FM?") == [("IM", "specialty"), ("FM", "specialty")]


def test_pipeline_output_feeds_the_parser(nlp):
    text = "s1 P, ck two forty one, j-1, 2022 grad, 2 months externship in peds"
    doc = nlp(text)
    mentions = [
        Mention(Label(e.label_), e.text, e.start_char, e.end_char)
        for e in doc.ents
        if e.label_ in ENTITY_LABELS
    ]
    facts = facts_from_mentions(text, mentions, today=TODAY)
    assert facts.changes["step1"] == ExamStatus.PASSED
    assert facts.changes["step2_score"] == 241
    assert facts.changes["visa"] == Visa.J1
    assert facts.changes["graduation_year"] == 2022
    assert facts.changes["usce_months"] == 2
    assert facts.changes["usce_specialty"] == "pediatrics"
