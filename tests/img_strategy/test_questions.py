"""The question registry itself."""

from __future__ import annotations

from datetime import date

import pytest

from img_strategy import Profile, Question, advise, default_rules, render
from img_strategy.engine import Recite
from img_strategy.questions import QUESTIONS, QuestionSpec, _index


def test_every_question_has_one_entry():
    assert [spec.question for spec in QUESTIONS] == list(Question)
    with pytest.raises(ValueError, match="declared twice"):
        _index((*QUESTIONS, QUESTIONS[0]))
    with pytest.raises(ValueError, match="without an entry: match_stats"):
        _index(tuple(s for s in QUESTIONS if s.question != Question.MATCH_STATS))


def test_intents_round_trip():
    for question in Question:
        assert Question.from_intent(question.intent) is question
    assert Question.from_intent("inform") is None
    assert Question.from_intent(None) is None
    assert Question.from_intent("ask_nothing") is None


def test_entries_are_frozen_and_consistent():
    titles = [spec.title for spec in QUESTIONS]
    asks = [spec.ask for spec in QUESTIONS]
    assert len(set(titles)) == len(titles) and len(set(asks)) == len(asks)
    for spec in QUESTIONS:
        assert spec.question not in spec.follow_ups
        assert spec.question.title == spec.title and spec.question.needs == spec.needs
    with pytest.raises(AttributeError):
        QUESTIONS[0].title = "x"  # type: ignore[misc]


def test_recited_statements_exist():
    statements = default_rules().statements
    for spec in QUESTIONS:
        if isinstance(spec.handler, Recite):
            assert spec.handler.verdict in statements
            assert all(s in statements for s in spec.handler.says)


def test_interviews_answer_cites_the_survey_medians():
    advice = advise(Question.INTERVIEWS, Profile(), today=date(2026, 11, 23))
    text = "\n".join(render(advice))
    assert text.startswith("Aim for about 8 interviews or more")
    assert "did not match had about 2" in text
    assert {r.source for r in advice.reasons} >= {"F10", "F16", "GEN.faq2"}
    assert isinstance(QUESTIONS[0], QuestionSpec)
