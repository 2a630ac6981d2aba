"""Real rasa_sdk Trackers for action tests; entities come from the project's pipeline."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.extract import MessageReader
from actions.form import ValidateAdviceForm
from img_nlp.build import ENTITY_LABELS, build_pipeline

DOMAIN_FILE = Path(__file__).parents[2] / "domain.yml"


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    return yaml.safe_load(DOMAIN_FILE.read_text())


@lru_cache(maxsize=1)
def _nlp():
    return build_pipeline()


def entities_for(text: str) -> list[dict[str, Any]]:
    return [
        {
            "entity": e.label_,
            "value": e.text,
            "start": e.start_char,
            "end": e.end_char,
            "extractor": "SpacyEntityExtractor",
        }
        for e in _nlp()(text).ents
        if e.label_ in ENTITY_LABELS
    ]


def make_tracker(
    text: str = "",
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = "rest:test-user",
) -> Tracker:
    all_slots = {name: None for name in domain()["slots"]}
    all_slots["store_checked"] = True  # tests of the returning-user load unset this
    all_slots.update(slots or {})
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities_for(text),
        },
        events=events or [{"event": "user", "text": text, "input_channel": "rest"}],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


async def run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain())
    return events, dispatcher.messages


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def read(tracker: Tracker) -> tuple[list[dict[str, Any]], list[str]]:
    """What reading the latest message gives (actions.extract): its slot events, and the
    texts the replying action says first."""
    reading = MessageReader().read(tracker)
    return reading.events, reading.texts


async def form_turn(
    tracker: Tracker,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One turn of the advice form: its validation, the form's one call (actions.form)."""
    return await run(ValidateAdviceForm(), tracker)
