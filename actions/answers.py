"""Answer actions: thin adapters from the tracker to the strategy module and back."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.extract import FACT_INTENTS
from actions.extras import extras_for
from actions.mentions import asked_from_message, facts_from_message
from actions.messages import DISCLAIMER, follow_up_buttons, menu_buttons
from actions.problems import Reply
from actions.slots import (
    CONSENT_PENDING_SLOT,
    CONSENT_SLOT,
    DISCLAIMER_SLOT,
    MORE_QUESTIONS_SLOT,
    PROFILE_SLOTS,
    QUESTION_SLOT,
    SKIPPED_SLOT,
    WHY_SLOT,
    asked_from_tracker,
    channel_metadata,
    in_group_chat,
    pending_question,
    profile_from_tracker,
    requested_field,
    skipped_fields,
    today,
)
from actions.store import StoreError, owner, profile_store
from img_nlp.routing import questions_from_intent, questions_from_message, questions_in_message
from img_store.conversation import CHANNELS_WITH_PRIVATE_LINK, FORGET_CONVERSATION
from img_strategy import (
    Advice,
    Profile,
    Question,
    advise,
    default_rules,
    describe,
    hypothetical,
    missing,
)
from img_strategy.parsing import asks_something
from img_strategy.render import explain_problem, render, render_reasons

Domain = dict[str, Any]

# Key in a bot message's metadata naming the question (``Question`` id) the message answers.
# Rasa keeps it in the BotUttered event (``event["metadata"]["metadata"]["question"]``) and
# passes it to output channels; the REST channel returns it as ``"metadata"``.
ANSWERED_QUESTION = "question"


def send_advice(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    advice: Advice,
    *,
    preface: str | None = None,
    opening: bool = True,
    profile: Profile | None = None,
) -> list[EventType]:
    """Send rendered advice (disclaimer first, once) and remember its reasons for "why?".
    ``opening`` is False for the second and later answers to one message: the disclaimer
    was said before the first (pending notices are said once by the action, see Reply).
    ``profile`` is the one the advice is for (a what-if's changed copy), for the chart or
    plan that goes with it."""
    events: list[EventType] = []
    if opening and not tracker.get_slot(DISCLAIMER_SLOT):
        dispatcher.utter_message(text=DISCLAIMER)
        events.append(SlotSet(DISCLAIMER_SLOT, True))
    extras = extras_for(
        tracker,
        advice.question,
        profile or profile_from_tracker(tracker),
        today(),
        asked_from_tracker(tracker),
    )
    texts = extras.texts or render(advice)
    if preface:
        texts[0] = f"{preface}\n{texts[0]}"
    # Which question a message answers, for channels and tests (see ANSWERED_QUESTION).
    answered = {ANSWERED_QUESTION: advice.question.value}
    for text in texts[:-1]:
        dispatcher.utter_message(text=text, metadata=answered)
    # The chart or calendar before the last message, so the follow-up buttons stay last
    # (the web widget shows a message's buttons only while it is the latest).
    extras.send(dispatcher, answered)
    dispatcher.utter_message(
        text=texts[-1], buttons=follow_up_buttons(advice.question), metadata=answered
    )
    events.append(SlotSet(WHY_SLOT, extras.why or render_reasons(advice)))
    return events


def answer_all(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    questions: list[Question],
    profile: Profile,
) -> list[EventType]:
    """Answer each question asked in one message, in the order asked. "Why?" afterwards
    explains the last answer."""
    events: list[EventType] = []
    for i, question in enumerate(questions):
        advice = advise(question, profile, today=today(), asked=asked_from_tracker(tracker))
        events += send_advice(dispatcher, tracker, advice, opening=i == 0)
    return events


def remember_or_ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """After real (not hypothetical) advice: keep a consented profile up to date, or ask
    once whether to remember it."""
    consent = tracker.get_slot(CONSENT_SLOT)
    if consent == "yes":
        save_profile(dispatcher, tracker, announce=False)
        return []
    if consent is None:
        dispatcher.utter_message(text=messages.ASK_CONSENT, buttons=messages.CONSENT_BUTTONS)
        return [SlotSet(CONSENT_SLOT, "asked"), SlotSet(CONSENT_PENDING_SLOT, True)]
    return []


def save_profile(dispatcher: CollectingDispatcher, tracker: Tracker, *, announce: bool) -> None:
    """Save the consented profile; a storage failure is told to the user, not raised."""
    try:
        profile_store().save(*owner(tracker), profile_from_tracker(tracker))
    except StoreError:
        dispatcher.utter_message(text=messages.SAVE_FAILED)
        return
    if announce:
        dispatcher.utter_message(text=messages.REMEMBERED)


def private_chat_url(tracker: Tracker) -> str:
    """The link to a private chat with the bot, which only some channels set (Telegram,
    WhatsApp Cloud); a link in any other conversation's metadata is not repeated."""
    url = channel_metadata(tracker).get("private_chat_url")
    linking = {channel.value for channel in CHANNELS_WITH_PRIVATE_LINK}
    if not isinstance(url, str) or owner(tracker)[0] not in linking:
        return ""
    return url


def give_advice(
    dispatcher: CollectingDispatcher, tracker: Tracker, questions: list[Question]
) -> list[EventType]:
    """The answer the form was collecting for: given from its last step, the validation
    that finds nothing more to ask (no action call of its own, issue #20). In a group chat,
    where nothing is asked, a question that needs facts gets a private chat instead."""
    profile = profile_from_tracker(tracker)
    in_group = in_group_chat(tracker)
    if in_group and any(missing(q, profile, skipped_fields(tracker)) for q in questions):
        url = private_chat_url(tracker)
        dispatcher.utter_message(text=messages.GO_PRIVATE.format(url=url).strip())
        return []
    events = answer_all(dispatcher, tracker, questions, profile)
    if len(questions) > 1:
        # The others become answered; the first stays pending for corrections.
        events.append(SlotSet(MORE_QUESTIONS_SLOT, None))
    if in_group:
        return events  # a group member's profile is never stored
    if questions == [Question.OUT_OF_SCOPE]:
        return events  # nothing was advised, so nothing to offer to remember
    return events + remember_or_ask(dispatcher, tracker)


class ActionConsent(Reply):
    """The answer to "shall I remember your profile?"."""

    def name(self) -> str:
        return "action_consent"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events: list[EventType] = [SlotSet(CONSENT_PENDING_SLOT, False)]
        if intent == "affirm":
            save_profile(dispatcher, tracker, announce=True)
            return [*events, SlotSet(CONSENT_SLOT, "yes")]
        dispatcher.utter_message(text=messages.NOT_REMEMBERED)
        return [*events, SlotSet(CONSENT_SLOT, "no")]


def answer_now(
    dispatcher: CollectingDispatcher, tracker: Tracker, questions: list[Question]
) -> list[EventType]:
    """Questions asked in the middle of the form: answered at once with what is known; the
    form then goes on with its own pending question."""
    events = answer_all(dispatcher, tracker, questions, profile_from_tracker(tracker))
    dispatcher.utter_message(text=messages.BACK_TO_QUESTION)
    return events


def asked_mid_form(tracker: Tracker) -> list[Question]:
    """The questions a reply at a form prompt asks: a question intent's (the pending one
    if it names none), or those the asking parts of a facts reply ask on their own words
    ("j1. also is observership counted as usce?"). A reply that gives the fact the prompt
    asked for and asks nothing asks no question, however NLU labelled it."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    if questions_from_intent(intent):
        if _answers_the_prompt(tracker):
            return []
        return questions_from_message(message) or [pending_question(tracker) or Question.CHANCES]
    if intent in FACT_INTENTS:
        return questions_in_message(message)
    return []


def _answers_the_prompt(tracker: Tracker) -> bool:
    """A reply that gives the fact the form asked for and asks nothing, though NLU took it
    for a question ("j1 or h1b" at the visa prompt reads like the visa question): reading
    it this turn stored that fact, so it is a reply, not a question mid-form."""
    field = requested_field(tracker)
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    if field is None or questions_in_message(message) or asks_something(text):
        return False
    return field.value in _profile_slots_set_this_turn(tracker)


class ActionWhatIf(Reply):
    """ "What if my CK were 245?": the same question on a changed copy of the profile.
    The stored profile is never touched."""

    def name(self) -> str:
        return "action_what_if"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        profile = profile_from_tracker(tracker)
        message = tracker.latest_message or {}
        parsed = facts_from_message(message)
        for problem in parsed.problems:
            dispatcher.utter_message(text=explain_problem(problem))
        what_if = hypothetical(profile, parsed.changes)
        if what_if is None:
            if not parsed.problems:
                dispatcher.utter_message(text=messages.WHAT_IF_NEEDS_SCORE)
            return []
        question = pending_question(tracker) or Question.CHANCES
        advice = advise(question, what_if, today=today())
        changed = [
            line
            for line in describe(default_rules(), what_if, today())
            if line not in describe(default_rules(), profile, today())
        ]
        preface = "If " + "; ".join(changed) + " (hypothetical: your saved profile is unchanged):"
        return send_advice(dispatcher, tracker, advice, preface=preface, profile=what_if)


class ActionExplain(Reply):
    def name(self) -> str:
        return "action_explain"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        dispatcher.utter_message(text=tracker.get_slot(WHY_SLOT) or messages.NOTHING_TO_EXPLAIN)
        return []


class ActionShowProfile(Reply):
    def name(self) -> str:
        return "action_show_profile"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        rules = default_rules()
        stored: tuple[str, ...] = ()
        if tracker.get_slot(CONSENT_SLOT) == "yes":
            try:
                remembered = profile_store().load(*owner(tracker))
            except StoreError:
                remembered = None
            stored = describe(rules, remembered.profile, today()) if remembered else ()
        current = describe(rules, profile_from_tracker(tracker), today())
        unsaved = [line for line in current if line not in stored]
        if not stored and not unsaved:
            dispatcher.utter_message(text=messages.PROFILE_EMPTY)
            return []
        parts = []
        if stored:
            parts += [messages.STORED_INTRO, *stored]
        if unsaved:
            parts += [messages.CONVERSATION_INTRO, *unsaved]
        dispatcher.utter_message(text="\n".join(parts))
        return []


class ActionForgetMe(Reply):
    def name(self) -> str:
        return "action_forget_me"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        cleared: list[EventType] = [SlotSet(name, None) for name in PROFILE_SLOTS]
        cleared += [
            SlotSet(slot, None)
            for slot in (QUESTION_SLOT, SKIPPED_SLOT, WHY_SLOT, CONSENT_SLOT, CONSENT_PENDING_SLOT)
        ]
        # The conversation's own rows go when Rasa saves this turn: the tracker store acts
        # on this event by its type and deletes the conversation's events (img_store.events).
        cleared.append({"event": FORGET_CONVERSATION, "timestamp": None})
        try:
            profile_store().forget(*owner(tracker))
        except StoreError:
            dispatcher.utter_message(text=messages.FORGET_FAILED)
            return cleared
        dispatcher.utter_message(text=messages.FORGOT)
        return cleared


class ActionGreet(Reply):
    def name(self) -> str:
        return "action_greet"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        events: list[EventType] = []
        dispatcher.utter_message(text=messages.GREETING)
        if not tracker.get_slot(DISCLAIMER_SLOT):
            dispatcher.utter_message(text=DISCLAIMER)
            events.append(SlotSet(DISCLAIMER_SLOT, True))
        dispatcher.utter_message(text=messages.CAPABILITIES, buttons=menu_buttons())
        return events


class ActionAcknowledgeFacts(Reply):
    """Facts given or corrected outside the form: read them back, and if an answer was
    already given, give it again with the new facts."""

    def name(self) -> str:
        return "action_acknowledge_facts"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        changed = _profile_slots_set_this_turn(tracker)
        asked = questions_among_facts(tracker)
        profile = profile_from_tracker(tracker)
        if not changed:
            if asked:  # a question NLU took for facts: answered, not "no facts found"
                return _answer_among_facts(dispatcher, tracker, asked, profile)
            if not dispatcher.messages:  # unless reading it explained a refused value
                dispatcher.utter_message(text=messages.NO_FACTS_FOUND)
            return []
        only_changed = Profile.from_dict(
            {k: v for k, v in profile.to_dict().items() if k in changed}
        )
        lines = describe(default_rules(), only_changed, today())
        previous = Profile.from_dict(_values_before_this_turn(tracker, changed))
        replaced = [
            line for line in describe(default_rules(), previous, today()) if line not in lines
        ]
        note = "Noted: " + "; ".join(lines) + "."
        if replaced:
            note += " That replaces: " + "; ".join(replaced) + "."
        dispatcher.utter_message(text=note)
        question = pending_question(tracker)
        if tracker.get_slot(CONSENT_SLOT) == "yes":
            save_profile(dispatcher, tracker, announce=False)
        if asked:
            return _answer_among_facts(dispatcher, tracker, asked, profile)
        if question is not None and tracker.get_slot(WHY_SLOT):
            advice = advise(question, profile, today=today())
            return send_advice(dispatcher, tracker, advice, preface="With that change:")
        dispatcher.utter_message(text=messages.WHAT_NEXT, buttons=menu_buttons())
        return []


def _answer_among_facts(
    dispatcher: CollectingDispatcher, tracker: Tracker, asked: list[Question], profile: Profile
) -> list[EventType]:
    """Facts and questions in one message that NLU labelled as facts only: the questions
    are answered with what is known rather than dropped."""
    return [
        SlotSet(QUESTION_SLOT, asked[0].value),
        SlotSet(MORE_QUESTIONS_SLOT, None),
        *answer_all(dispatcher, tracker, asked, profile),
    ]


# A question intent ranked below "inform" still names the question a message asks when the
# message is a question; below this confidence the ranking is noise.
MIN_QUESTION_CONFIDENCE = 0.05


def questions_among_facts(tracker: Tracker) -> list[Question]:
    """The questions a facts-labelled message also asks: those its asking parts ask on
    their own words; else, when a clause of it asks or requests something ("?", "how many
    ...", "make me a plan"), the question intent ranked first among NLU's alternatives; or,
    when it names a Match to plan for ("plan for 2029 match pls, passed s1, ck not taken
    yet"), the plan if it is so ranked."""
    message = tracker.latest_message or {}
    if own := questions_in_message(message):
        return own
    marked = asks_something(str(message.get("text") or ""))
    names_a_match = asked_from_message(message).match_year is not None
    if not (marked or names_a_match):
        return []
    for ranked in message.get("intent_ranking") or []:
        questions = questions_from_intent(ranked.get("name"))
        if not questions or float(ranked.get("confidence") or 0) < MIN_QUESTION_CONFIDENCE:
            continue
        if marked or Question.PLAN in questions:
            return [questions[0] if marked else Question.PLAN]
    return []


def _values_before_this_turn(tracker: Tracker, names: set[str]) -> dict[str, Any]:
    """The values the given slots had before the latest user message."""
    values: dict[str, Any] = {}
    seen_latest_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user" and not seen_latest_user:
            seen_latest_user = True
            continue
        if seen_latest_user and event.get("event") == "slot" and event.get("name") in names:
            values.setdefault(event["name"], event.get("value"))
    return values


def _profile_slots_set_this_turn(tracker: Tracker) -> set[str]:
    changed: set[str] = set()
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        is_profile_slot = event.get("event") == "slot" and event.get("name") in PROFILE_SLOTS
        if is_profile_slot and event.get("value") is not None:
            changed.add(event["name"])
    return changed


class ActionNotUnderstood(Reply):
    """A message NLU could not place, outside the form: its facts are still read (a
    not-understood line may carry a score or a visa), then the usual "didn't get that"."""

    def name(self) -> str:
        return "action_not_understood"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_default")
        return []


class ActionYesNo(Reply):
    """A yes or a no outside the form and the consent question. Reading it settles what it
    answers (an unsure reading proposed back: a yes stores it, a no drops it); the reply
    then moves the conversation on."""

    def name(self) -> str:
        return "action_yes_no"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response="utter_what_next" if intent == "affirm" else "utter_ok")
        return []
