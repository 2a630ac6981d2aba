from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.form import ValidateAdviceForm
from tests.actions.support import domain, make_tracker

FORM_SLOTS = domain()["forms"]["advice_form"]["required_slots"]


async def required(slots: dict) -> list[str]:
    return await ValidateAdviceForm().required_slots(
        FORM_SLOTS, CollectingDispatcher(), make_tracker(slots=slots), domain()
    )


async def test_asks_only_for_what_the_question_needs():
    assert await required({"question": "target_score", "specialty": "pediatrics"}) == []
    assert await required({"question": "ck_timing"}) == []
    assert await required(
        {"question": "chances", "specialty": "pediatrics", "step1": "failed_then_passed"}
    ) == ["step2_score", "visa", "graduation_year"]


async def test_skipped_facts_are_not_asked_again():
    assert await required(
        {"question": "programs", "specialty": "pediatrics", "skipped": ["step1", "visa"]}
    ) == ["step2_score"]


async def test_untaken_ck_asks_for_practice_scores():
    assert await required(
        {"question": "postpone", "specialty": "pediatrics", "step2": "not_taken"}
    ) == ["step2_practice"]


async def test_a_score_still_to_come_is_not_asked_for():
    assert await required(
        {"question": "chances", "specialty": "pediatrics", "step2": "pending", "step1": "passed"}
    ) == ["visa", "graduation_year"]
