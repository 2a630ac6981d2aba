"""The blind runner's scoring, on hand-made trackers (no servers), and the sets' shape."""

from __future__ import annotations

from tests.conversations.runner import (
    Conversation,
    Exchange,
    Played,
    answered_topics,
    answers_from_facts,
    confirmation,
    fact_right,
    load_blind,
    load_group,
    prompt_answer,
    score,
)

TOPICS = {
    "chances", "target_score", "realistic_specialties", "compare", "programs", "postpone",
    "ck_timing", "preparation", "retake", "recovery", "step3", "visa", "graduation_year",
    "usce_letters", "observership", "signaling", "personal_statement", "explain_fail",
    "filter_out", "age", "interviews", "reapply", "prelim", "match_stats", "plan",
    "out_of_scope",
}  # fmt: skip


def conversation(**changes) -> Conversation:
    fields = {
        "id": "t-1",
        "turns": ("ck 228 yog 2019 j1, chances for IM?",),
        "answers": {"step1": "passed", "step2": "228", "visa": "j1", "specialty": "IM"},
        "facts": {
            "step1": "passed",
            "step2": "passed",
            "step2_score": 228,
            "visa": "j1",
            "graduation_year": 2019,
            "usce_months": 0,
            "specialty": "internal_medicine",
        },
        "mentioned": ("step2_score", "graduation_year", "visa", "specialty"),
        "questions": ("chances",),
    }
    return Conversation(**{**fields, **changes})


def bot(text: str, question: str | None = None) -> dict:
    return {"event": "bot", "text": text, "metadata": {"question": question} if question else {}}


def test_the_sets_are_complete_and_use_the_canonical_ids():
    blind, group = load_blind(), load_group()
    assert len(blind) >= 150 and len(group) == 30
    assert len({c.id for c in blind + group}) == len(blind) + len(group)
    for c in blind:
        assert set(c.mentioned) <= set(c.facts), c.id
        assert set(c.answers) >= {"step1", "step2", "visa", "graduation_year", "specialty"}
    for c in blind + group:
        assert set(c.questions) <= TOPICS, c.id


def test_a_score_kept_alone_implies_a_pass_only_at_the_pass_mark():
    assert fact_right("step2", "passed", {"step2_score": 230})
    assert not fact_right("step2", "passed", {"step2_score": 205})
    assert fact_right("step1", "passed", {"step1_score": 221})
    assert fact_right("step2", "not_taken", {"step2_practice": 226})


def test_attempts_are_read_from_the_status_when_not_stored():
    assert fact_right("step1_attempts", 2, {"step1": "failed_then_passed"})
    assert fact_right("step1", "failed_then_passed", {"step1": "passed", "step1_attempts": 2})
    assert not fact_right("step1", "failed_then_passed", {"step1": "passed"})
    assert not fact_right("step1", "passed", {"step1": "failed_then_passed"})


def test_zero_usce_must_be_stored_and_months_allow_half_a_month():
    assert not fact_right("usce_months", 0, {})
    assert fact_right("usce_months", 0, {"usce_months": 0})
    assert fact_right("usce_months", 1.5, {"usce_months": 2})


def test_facts_stated_and_stray_readings_are_scored():
    slots = {
        "step2_score": 228,
        "graduation_year": 2019,
        "visa": "either",
        "specialty": "internal_medicine",
        "usce_months": 552,
    }
    played = Played(conversation(), [Exchange("turn", None, ["Noted"], None)], [], {"slots": slots})
    result = score(played)
    wrong = {(f.key, f.stated) for f in result.facts if not f.right}
    assert wrong == {("visa", True), ("usce_months", False)}


def test_topics_come_from_the_questions_the_bot_s_messages_name_in_their_metadata():
    events = [bot("Your chances...", "chances"), bot("Apply to 80 programs", "programs")]
    assert answered_topics(events) == ["chances", "programs"]


def test_only_labelled_bot_messages_answer_a_topic():
    # The tracker keeps a BotUttered's metadata one level down; prompts, acknowledgements
    # and a what-if that could not answer carry no question, whatever the actions and the
    # question slot around them.
    events = [
        {"event": "user", "parse_data": {"intent": {"name": "ask_programs"}}},
        {"event": "slot", "name": "question", "value": "programs"},
        {"event": "action", "name": "advice_form"},
        bot("Which visa do you need?"),
        {"event": "user", "parse_data": {"intent": {"name": "what_if"}}},
        {"event": "action", "name": "action_what_if"},
        bot("Tell me the score you have in mind."),
        {"event": "action", "name": "action_acknowledge_facts"},
        {
            "event": "bot",
            "text": "Apply to 60-80 programs.",
            "metadata": {"metadata": {"question": "programs"}},
        },
        {"event": "bot", "text": "Not covered.", "metadata": {"question": 3}},
    ]
    assert answered_topics(events) == ["programs"]
    assert answered_topics(events[:-2]) == []


def test_a_prompt_asked_again_after_its_answer_is_a_loop_and_a_stated_fact_asked_is_a_repeat():
    exchanges = [
        Exchange("turn", None, ["How did Step 1 go?"], "step1"),
        Exchange("answer", "step1", ["Which visa?"], "visa"),
        Exchange("answer", "visa", ["Which visa?"], "visa"),
    ]
    result = score(Played(conversation(), exchanges, ["step1"], {"slots": {}}))
    assert len(result.loops) == 2  # same reply twice, and the visa prompt again
    assert result.repeated == ["asked visa already stated", "asked visa already stated"]
    assert result.dead_end and not result.good


def test_topics_are_matched_one_answer_per_question():
    events = [bot("Your chances", "chances")]
    played = Played(
        conversation(questions=("chances", "chances")),
        [Exchange("turn", None, ["x"], None)],
        [],
        {"slots": {}, "events": events},
    )
    assert score(played).on_topic == [True, False]


def test_group_messages_answer_prompts_from_their_own_facts():
    answers = answers_from_facts({"step1": "failed_then_passed", "usce_months": 0, "visa": "none"})
    assert answers == {
        "step1": "failed once then passed",
        "usce": "no usce",
        "visa": "i have a green card",
    }
    group = conversation(answers=answers, facts={"step1": "failed_then_passed"})
    assert prompt_answer(group, "step1") == ("failed once then passed", ("step1",))
    assert prompt_answer(group, "specialty")[1] == ()


def test_a_proposed_reading_is_confirmed_only_when_it_is_the_personas_own():
    persona = conversation()
    assert confirmation(persona, {"graduation_year": 2019}) == "yes"
    assert confirmation(persona, {"usce_months": 24}) == "no"
    assert confirmation(persona, {"step3": "passed"}) == "no"  # not a fact the persona has


def test_a_pending_ck_score_counts_as_not_taken():
    assert fact_right("step2", "not_taken", {"step2": "pending"})
    assert not fact_right("step2", "passed", {"step2": "pending"})
