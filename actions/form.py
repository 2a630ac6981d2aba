"""The advice form: asks, one at a time, only for what the pending question needs."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.slots import in_group_chat, pending_questions, profile_from_tracker, skipped_fields
from img_strategy import Question, missing


class ValidateAdviceForm(FormValidationAction):
    """Facts are extracted and validated by ``action_extract_profile`` for every message;
    this action only decides what is still needed. In a group chat it asks for nothing:
    ``action_give_advice`` then offers a private chat instead."""

    def name(self) -> str:
        return "validate_advice_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if in_group_chat(tracker):
            return []
        profile, skipped = profile_from_tracker(tracker), skipped_fields(tracker)
        gaps: list[str] = []
        # Every question asked in the message: what the first needs is asked first.
        for question in pending_questions(tracker) or [Question.CHANCES]:
            for field in missing(question, profile, skipped):
                if field.value not in gaps:
                    gaps.append(field.value)
        return gaps
