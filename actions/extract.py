"""Reading every user message: its facts, its questions, and the conversation's upkeep.

Every message is read exactly once, by the one action that answers it (a :class:`Reply`,
or the advice form's validation), inside that action's call: extraction and the reply are one
action-server call, not two (issue #20). So facts can be given, added to or corrected at any
point. Parsing and validation are the strategy module's; this adapter only turns the result
into slot events and the texts the bot must say about them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import messages
from actions.mentions import asked_from_message, facts_from_message
from actions.slots import (
    ASKED_SLOT,
    CONSENT_PENDING_SLOT,
    CONSENT_SLOT,
    MORE_QUESTIONS_SLOT,
    PROFILE_SLOTS,
    PROMPT_FAILURES_SLOT,
    QUESTION_SLOT,
    SKIPPED_SLOT,
    STORAGE_DOWN_SLOT,
    STORE_CHECKED_SLOT,
    UNSURE_SLOT,
    asked_slot_value,
    profile_from_tracker,
    profile_slot_events,
    requested_field,
    today,
    with_match_year,
)
from actions.store import StoreError, owner, profile_store, storage_error
from img_nlp.routing import questions_from_intent, questions_from_message
from img_strategy import Field, Question, default_rules, describe
from img_strategy.parsing import ParsedFacts, Unsure
from img_strategy.passmarks import ck_date_decides
from img_strategy.render import confirm_question, explain_problem

logger = logging.getLogger(__name__)

# Intents whose numbers are hypothetical or not about the user at all.
NO_EXTRACTION_INTENTS = frozenset({"what_if", "bot_challenge"})
# Intents of facts given or corrected: a question typed with them is still asked.
FACT_INTENTS = frozenset({"inform", "correct"})
# Intents that, at a form prompt, are meant as its answer (the others have their own rules:
# a question is answered, "why?" explained, and so on). A reply of this kind that gives no
# fact counts as a failed try at the prompt.
PROMPT_REPLY_INTENTS = frozenset({"inform", "correct", "affirm", "deny", "nlu_fallback"})
# Questions whose answer depends on what the question itself names (asked_from_message):
# the specialties compared, the kind of uncovered question, the Match a plan aims at.
READS_ASKED = frozenset({Question.COMPARE, Question.OUT_OF_SCOPE, Question.PLAN})
# Failed tries at one prompt before the bot stops asking it and goes on without the fact.
MAX_PROMPT_FAILURES = 2


@dataclass(frozen=True)
class Turn:
    """The latest user message as every step reads it. Read from the tracker once, so all
    steps agree on what was said and on whether a form prompt was waiting for it."""

    message: Mapping[str, Any]
    intent: str | None
    in_form: bool
    expected: Field | None  # the fact the form's prompt asked for; None outside the form
    # The fact a bare value answers: the prompt's, else the CK date when the stored CK is a
    # pass or a fail depending on it (the answer then asked "When did you take CK?").
    reads_as: Field | None = None

    @classmethod
    def read(cls, tracker: Tracker) -> Turn:
        message = tracker.latest_message or {}
        in_form = form_was_waiting(tracker)
        expected = requested_field(tracker) if in_form else None
        date_asked = ck_date_decides(default_rules(), profile_from_tracker(tracker))
        return cls(
            message=message,
            intent=(message.get("intent") or {}).get("name"),
            in_form=in_form,
            expected=expected,
            reads_as=expected or (Field.STEP2_DATE if date_asked else None),
        )


@dataclass(frozen=True)
class Step:
    """A step's slot events, and whether they settle the turn (the message needs no
    further reading: a yes/no to an unsure reading, or a skipped prompt)."""

    events: list[EventType]
    settles_turn: bool = False


@dataclass(frozen=True)
class MessageFacts:
    """What the parser made of the message. ``unsure`` leaves out the readings a plainly
    given fact of the same message already covers: those are never asked back."""

    facts: ParsedFacts
    unsure: tuple[Unsure, ...]

    @classmethod
    def of(cls, facts: ParsedFacts) -> MessageFacts:
        given = set(facts.changes)
        return cls(facts, tuple(u for u in facts.unsure if not set(u.changes) & given))

    @property
    def got_something(self) -> bool:
        """Whether the message answered anything, even wrongly: else a prompt failed."""
        facts = self.facts
        return bool(facts.changes or facts.problems or self.unsure or facts.declined)


@dataclass(frozen=True)
class Reading:
    """What reading a message gives: slot events, and what the bot must say about the
    message before its reply (a welcome back, why a value was refused, a yes/no question
    for an unsure reading, a hint at a prompt)."""

    events: list[EventType] = dataclass_field(default_factory=list)
    texts: list[str] = dataclass_field(default_factory=list)


# Actions that run after a user message without reading it (Rasa's own bookkeeping and the
# form, whose validation reads it unless an action before it in the turn already has).
NOT_READERS = frozenset({"action_listen", "action_extract_slots", "advice_form"})


def already_read(tracker: Tracker) -> bool:
    """Whether an action earlier in this turn read the latest message (a "why?" mid-form
    is read by action_explain, and the form that resumes after it must not read it again:
    notices would be said twice and a failed try counted twice)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in NOT_READERS:
            return True
    return False


def form_was_waiting(tracker: Tracker) -> bool:
    """Whether the form was active, waiting for a reply, when the latest message came: not
    when the message itself activated it (the form's validation also runs at activation,
    with the loop already active on its temporary tracker)."""
    if tracker.active_loop_name is None:
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "active_loop" and event.get("name"):
            return False  # activated after the message, by it
    return True


def read_message(tracker: Tracker) -> Reading:
    """Read the latest message, unless an earlier action of this turn already did."""
    if already_read(tracker):
        return Reading()
    return MessageReader().read(tracker)


class MessageReader:
    """Reads one message. :meth:`read` only chains the steps below, in the order they must
    run; each step is a method, as in rasa_sdk's own forms."""

    def read(self, tracker: Tracker) -> Reading:
        turn = Turn.read(tracker)
        upkeep = self.session_events(tracker, turn)
        events = [*upkeep.events, *self.question_events(tracker, turn)]
        if turn.intent in NO_EXTRACTION_INTENTS:  # hypothetical numbers are not facts
            return Reading(events, upkeep.texts)
        for step in (self.resolve_unsure, self.skip_prompt):
            done = step(tracker, turn)
            events.extend(done.events)
            if done.settles_turn:
                return Reading(events, upkeep.texts)
        parsed = self.parse(turn)
        events.extend(self.fact_events(parsed))
        if parsed.facts.declined:
            # "no practice tests yet": a fact the user does not have is not asked for.
            events.extend(_skip(tracker, *sorted(parsed.facts.declined)))
        follow_up, texts = self.follow_up(tracker, turn, parsed)
        return Reading([*events, *follow_up], [*upkeep.texts, *texts])

    def session_events(self, tracker: Tracker, turn: Turn) -> Reading:
        """Upkeep that runs for every message, whatever it says: the database's health,
        a returning user's saved profile, a consent question the user has moved past."""
        health, returning = _storage_health(tracker), _returning_user(tracker)
        return Reading(
            [*health.events, *returning.events, *_consent_moved_on(tracker, turn.intent)],
            [*health.texts, *returning.texts],
        )

    def question_events(self, tracker: Tracker, turn: Turn) -> list[EventType]:
        """Record the questions the message asks, and what they name beyond profile facts.
        Inside the form a new question is answered on the spot and the pending one is kept
        (see the interruption rule), so the pending question is only set outside it."""
        events: list[EventType] = []
        questions = questions_from_intent(turn.intent)
        if questions or turn.intent in FACT_INTENTS:
            # Each part of the message that asks is classified on its own words too.
            questions = questions_from_message(turn.message)
        if questions and not turn.in_form:
            more = [q.value for q in questions[1:]]
            events.append(SlotSet(QUESTION_SLOT, questions[0].value))
            if more or tracker.get_slot(MORE_QUESTIONS_SLOT):
                events.append(SlotSet(MORE_QUESTIONS_SLOT, more or None))
        asked = asked_from_message(turn.message)
        if READS_ASKED.intersection(questions):
            events.append(SlotSet(ASKED_SLOT, asked_slot_value(asked)))
        elif asked.match_year is not None and turn.intent not in NO_EXTRACTION_INTENTS:
            # A Match year given among facts or at a prompt is kept for the plan. It lives
            # in a slot, not in the message history, so it outlasts the tracker's window.
            events.append(SlotSet(ASKED_SLOT, with_match_year(tracker, asked.match_year)))
        return events

    def resolve_unsure(self, tracker: Tracker, turn: Turn) -> Step:
        """The answer to "is that your US clinical experience?": a yes stores the reading,
        a no drops it; anything else drops it and the message is read as usual."""
        awaiting = tracker.get_slot(UNSURE_SLOT)
        if not awaiting:
            return Step([])
        cleared: list[EventType] = [SlotSet(UNSURE_SLOT, None)]
        if turn.intent == "affirm" and isinstance(awaiting, dict):
            return Step([*cleared, *profile_slot_events(awaiting)], settles_turn=True)
        return Step(cleared, settles_turn=turn.intent == "deny")

    def skip_prompt(self, tracker: Tracker, turn: Turn) -> Step:
        """A "skip" at a form prompt declines that fact; the message gives no other."""
        if turn.intent != "skip" or turn.expected is None:
            return Step([])
        return Step(_skip(tracker, turn.expected), settles_turn=True)

    def parse(self, turn: Turn) -> MessageFacts:
        """The facts of the message. Parsing itself is the strategy module's; the fact the
        prompt asked for is passed on, so that a bare "230" answers it."""
        return MessageFacts.of(facts_from_message(turn.message, expected=turn.reads_as))

    def fact_events(self, parsed: MessageFacts) -> list[EventType]:
        """Store the facts read plainly. Unsure readings are never guessed: they are kept
        aside (together, as one "yes" stores them all) until the user confirms them."""
        events = profile_slot_events(parsed.facts.changes)
        if parsed.unsure:
            proposed: dict[str, Any] = {}
            for unsure in parsed.unsure:
                proposed.update(unsure.changes)
            plain = {k: getattr(v, "value", v) for k, v in proposed.items()}
            events.append(SlotSet(UNSURE_SLOT, plain))
        return events

    def follow_up(
        self, tracker: Tracker, turn: Turn, parsed: MessageFacts
    ) -> tuple[list[EventType], list[str]]:
        """What the bot must say about the message: why a value was refused, the yes/no
        question for each unsure reading, and, for a reply to a form prompt, how the
        prompt is going (a hint, or giving up on it); with the events that count tries."""
        texts = [explain_problem(p) for p in parsed.facts.problems]
        texts += [confirm_question(u) for u in parsed.unsure]
        if turn.expected is None or turn.intent not in PROMPT_REPLY_INTENTS:
            return [], texts
        events, notice = _prompt_progress(tracker, turn.expected, parsed.got_something)
        return events, [*texts, *notice]


def _skip(tracker: Tracker, *fields: Field) -> list[EventType]:
    """The user declined to give ``fields`` (or has none to give): never asked again."""
    skipped = list(tracker.get_slot(SKIPPED_SLOT) or [])
    for field in fields:
        if field.value not in skipped:
            skipped.append(field.value)
        if field == Field.STEP2 and Field.STEP2_PRACTICE.value not in skipped:
            skipped.append(Field.STEP2_PRACTICE.value)
    return [SlotSet(SKIPPED_SLOT, skipped)]


def _prompt_progress(
    tracker: Tracker, field: Field, got_something: bool
) -> tuple[list[EventType], list[str]]:
    """Count failed tries at the prompt for ``field``. The first gets a hint on how to
    answer; the second stops asking and goes on without the fact, so no prompt loops."""
    previous = tracker.get_slot(PROMPT_FAILURES_SLOT) or {}
    if got_something:
        return ([SlotSet(PROMPT_FAILURES_SLOT, None)] if previous else []), []
    count = 1 + (previous.get("count", 0) if previous.get("field") == field.value else 0)
    if count >= MAX_PROMPT_FAILURES:
        events = [SlotSet(PROMPT_FAILURES_SLOT, None), *_skip(tracker, field)]
        return events, [messages.prompt_given_up(field.value)]
    failures = {"field": field.value, "count": count}
    return [SlotSet(PROMPT_FAILURES_SLOT, failures)], [messages.prompt_hint(field.value)]


def _returning_user(tracker: Tracker) -> Reading:
    """Once per session: load the profile this user asked to be remembered."""
    if tracker.get_slot(STORE_CHECKED_SLOT):
        return Reading()
    events: list[EventType] = [SlotSet(STORE_CHECKED_SLOT, True)]
    try:
        remembered = profile_store().load(*owner(tracker))
    except StoreError as exc:  # the conversation goes on without the saved profile
        logger.warning("profile store unavailable on load: %s", type(exc).__name__)
        return Reading(events)
    if remembered is None:
        return Reading(events)
    stored = {k: v for k, v in remembered.profile.to_dict().items() if v is not None}
    fresh = {k: v for k, v in stored.items() if k in PROFILE_SLOTS and tracker.get_slot(k) is None}
    summary = list(describe(default_rules(), remembered.profile, today()))
    events += [SlotSet(name, value) for name, value in fresh.items()]
    return Reading([*events, SlotSet(CONSENT_SLOT, "yes")], [messages.welcome_back(summary)])


def _storage_health(tracker: Tracker) -> Reading:
    """Tell the user once when the database becomes unreachable (Rasa then keeps the
    conversation in memory only), and reset when it is back."""
    error = storage_error()
    if error is not None:
        logger.warning("database unreachable: %s", error)
        if tracker.get_slot(STORAGE_DOWN_SLOT):
            return Reading()
        return Reading([SlotSet(STORAGE_DOWN_SLOT, True)], [messages.STORAGE_DOWN])
    if tracker.get_slot(STORAGE_DOWN_SLOT):
        return Reading([SlotSet(STORAGE_DOWN_SLOT, False)])
    return Reading()


def _consent_moved_on(tracker: Tracker, intent: str | None) -> list[EventType]:
    """The bot asked whether to remember the profile and the user said something else:
    the question is no longer pending, so the consent rules stop waiting for a yes/no."""
    if tracker.get_slot(CONSENT_PENDING_SLOT) and intent not in ("affirm", "deny"):
        return [SlotSet(CONSENT_PENDING_SLOT, False)]
    return []
