"""img_nlp.routing: which questions a message's parts ask once the specialties it names are
counted, and when a part is read with its whole line."""

from __future__ import annotations

from typing import Any

import pytest

from img_nlp.routing import questions_from_intent, questions_from_message
from img_strategy import Question


def _entity(text: str, word: str, after: int = 0) -> dict[str, Any]:
    start = text.index(word, after)
    return {"entity": "specialty", "value": word, "start": start, "end": start + len(word)}


def _part(text: str, words: str, intent: str, confidence: float = 0.9) -> dict[str, Any]:
    start = text.index(words)
    return {
        "start": start,
        "end": start + len(words),
        "text": words,
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }


def _message(
    text: str, parts: list[dict[str, Any]], specialties: list[str], whole: str = "ask_chances"
) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": whole, "confidence": 0.95},
        "entities": [_entity(text, s) for s in specialties],
        "questions": parts,
    }


def asked(message: dict[str, Any]) -> list[str]:
    return [q.value for q in questions_from_message(message)]


def test_an_intent_asks_its_question_and_a_multi_intent_each_of_its_own_once():
    assert questions_from_intent("ask_visa") == [Question.VISA]
    assert questions_from_intent("ask_compare+ask_programs+ask_compare") == [
        Question.COMPARE,
        Question.PROGRAMS,
    ]
    assert questions_from_intent("inform") == questions_from_intent(None) == []


def test_two_specialties_named_as_alternatives_are_compared():
    text = "ck 231 yog 2020. peds or fm for a j1 applicant?"
    part = _part(text, "peds or fm for a j1 applicant", "ask_visa")
    assert asked(_message(text, [part], ["peds", "fm"])) == ["visa"]  # not an outlook question
    part = _part(text, "peds or fm for a j1 applicant", "ask_chances")
    assert asked(_message(text, [part], ["peds", "fm"])) == ["compare"]


@pytest.mark.parametrize(
    ("pair", "compared"),
    [
        ("IM or FM", True),
        ("IM OR FM", True),
        ("IM/FM", True),
        ("IM / FM", True),
        ("IM vs FM", True),
        ("IM vs. FM", True),
        ("IM Versus FM", True),
        ("IM and FM", False),
        ("IM, FM", False),
        ("IM or maybe FM", False),
    ],
)
def test_only_a_word_of_choice_between_two_specialties_offers_them_as_alternatives(pair, compared):
    text = f"{pair}? uwsa2 231, yog 2019"
    part = _part(text, pair, "inform")
    message = _message(text, [part], ["IM", "FM"], whole="inform")
    assert asked(message) == (["compare"] if compared else [])


def test_a_chances_question_weighing_two_specialties_named_earlier_is_a_comparison():
    text = "neurology appeals to me, psychiatry too. ck 238. which is the safer bet?"
    part = _part(text, "which is the safer bet", "ask_chances")
    assert asked(_message(text, [part], ["neurology", "psychiatry"])) == ["compare"]


def test_what_leads_up_to_a_question_can_weigh_the_options():
    text = "bhai psych vs FM, mera chance kidhar hai"
    part = _part(text, "mera chance kidhar hai", "ask_chances")
    assert asked(_message(text, [part], ["psych", "FM"])) == ["compare"]


def test_two_specialties_without_a_choice_between_them_are_not_compared():
    text = "did 2 months in IM and want FM. what are my chances"
    part = _part(text, "what are my chances", "ask_chances")
    assert asked(_message(text, [part], ["IM", "FM"])) == ["chances"]


def test_a_comparison_with_one_specialty_and_nothing_to_weigh_is_about_that_one():
    text = "can I do anaesthesia with 236, or is some other field wiser"
    parts = [
        _part(text, "can I do anaesthesia with 236", "ask_compare"),
        _part(text, "or is some other field wiser", "ask_compare"),
    ]
    message = _message(text, parts, ["anaesthesia"], whole="ask_compare")
    assert asked(message) == ["chances", "realistic_specialties"]


def test_a_comparison_naming_one_specialty_against_the_chosen_one_stays_a_comparison():
    text = "maybe FM instead, what do you think"
    part = _part(text, "maybe FM instead, what do you think", "ask_compare")
    assert asked(_message(text, [part], ["FM"], whole="ask_compare")) == ["compare"]


def test_a_part_naming_its_own_subject_is_not_overruled_by_the_whole_line():
    text = "s1 pass ck 233. H1B or J1, which keeps more doors open for me?"
    part = _part(text, "H1B or J1, which keeps more doors open for me", "ask_visa", 0.8)
    message = _message(text, [part], [], whole="ask_out_of_scope")
    assert asked(message) == ["visa"]


def test_a_part_pointing_back_is_read_with_its_whole_line():
    text = "failed CK once then 229. does that shut the door at most programs?"
    part = _part(text, "does that shut the door at most programs", "ask_chances", 0.6)
    message = _message(text, [part], [], whole="ask_filter_out")
    assert asked(message) == ["filter_out"]


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("IM or FM. which specialties r realistic", "realistic_specialties"),
        ("IM or FM? which specialties r realistic", "realistic_specialties"),
        ("IM or FM!\nwhich specialties r realistic", "realistic_specialties"),
        ("IM or FM\n\nwhich specialties r realistic", "realistic_specialties"),
        # a single line break, or a full stop with no space after it, does not end one
        ("IM or FM\nwhich specialties r realistic", "compare"),
        ("IM or FM.which specialties r realistic", "compare"),
        ("IM or FM, which specialties r realistic", "compare"),
    ],
)
def test_a_sentence_ends_at_its_mark_and_the_space_after_it(text, question):
    part = _part(text, "which specialties r realistic", "ask_realistic_specialties")
    message = _message(text, [part], ["IM", "FM"], whole="ask_realistic_specialties")
    assert asked(message) == [question]


def test_facts_in_an_earlier_sentence_do_not_weigh_the_question():
    text = "IM electives were easier than surgery ones. which specialties r realistic for me?"
    part = _part(text, "which specialties r realistic", "ask_realistic_specialties")
    message = _message(text, [part], ["IM", "surgery"], whole="ask_realistic_specialties")
    assert asked(message) == ["realistic_specialties"]
    # the same words in the question's own sentence do weigh them
    text = "IM or surgery, which specialties r realistic for me?"
    part = _part(text, "which specialties r realistic", "ask_realistic_specialties")
    assert asked(_message(text, [part], ["IM", "surgery"])) == ["compare"]


def test_two_specialties_asked_as_alternatives_are_a_comparison_even_read_as_facts():
    text = "psych or neuro? uwsa2 231, yog 2019"
    part = _part(text, "psych or neuro", "inform")
    assert asked(_message(text, [part], ["psych", "neuro"], whole="inform")) == ["compare"]
    # facts alone that name two specialties ask nothing
    part = _part(text, "uwsa2 231, yog 2019", "inform")
    assert asked(_message(text, [part], ["psych", "neuro"], whole="inform")) == []


def test_a_part_pointing_back_among_others_is_read_with_the_line_too():
    text = "ck 225, thinking of TY spots as backup. is that smart? and how many programs for IM"
    parts = [
        _part(text, "is that smart", "ask_compare", 0.4),
        _part(text, "and how many programs for IM", "ask_programs", 0.95),
    ]
    message = _message(text, parts, ["IM"], whole="ask_prelim")
    assert asked(message) == ["prelim", "programs"]


def test_a_part_pointing_back_but_sure_of_itself_keeps_its_question():
    text = "ck 219 then 236. how do i talk about the fail? and will it get me screened out"
    parts = [
        _part(text, "how do i talk about the fail", "ask_explain_fail", 0.97),
        _part(text, "and will it get me screened out", "ask_filter_out", 0.7),
    ]
    message = _message(text, parts, [], whole="ask_explain_fail")
    assert asked(message) == ["explain_fail", "filter_out"]


def test_a_score_asked_for_one_named_institution_is_the_programs_to_answer():
    text = "ck 247 yog 2021. what step 2 does the cleveland clinic want for IM?"
    part = _part(text, "what step 2 does the cleveland clinic want for IM", "ask_target_score")
    assert asked(_message(text, [part], ["IM"], whole="ask_target_score")) == ["out_of_scope"]
    text = "ck 247 yog 2021. what step 2 do IM programs want?"
    part = _part(text, "what step 2 do IM programs want", "ask_target_score")
    assert asked(_message(text, [part], ["IM"], whole="ask_target_score")) == ["target_score"]


def test_a_whole_line_label_adds_a_question_only_when_a_part_is_unsure():
    text = "ck 241 j1. how do signals work for peds and how many programs"
    parts = [
        _part(text, "how do signals work for peds", "ask_signaling", 0.98),
        _part(text, "and how many programs", "ask_programs", 0.6),
    ]
    message = _message(text, parts, ["peds"], whole="ask_chances+ask_programs")
    assert asked(message) == ["signaling", "programs"]
    parts[1]["intent_ranking"][0]["confidence"] = 0.4
    assert asked(message) == ["signaling", "programs", "chances"]


def test_one_unsure_part_is_read_with_its_whole_line():
    message = {
        "text": "I have a 2 year gap after graduation, is that a problem?",
        "intent": {"name": "ask_filter_out", "confidence": 0.55},
        "questions": [
            {"intent_ranking": [{"name": "ask_graduation_year", "confidence": 0.32}]},
        ],
    }
    assert asked(message) == ["filter_out"]
    message["questions"][0]["intent_ranking"][0]["confidence"] = 0.8
    assert asked(message) == ["graduation_year"]
