"""Plays the blind conversation sets over REST against the real servers and scores them.

A blind conversation (tests/conversations/blind/FORMAT.md) is a persona's typed turns, the
answers the persona gives when the bot asks for a fact, the persona's true profile and the
topics of the questions asked. The runner sends every turn in order, then, while the bot's
form asks for a fact (the tracker's ``requested_slot``), types the persona's answer; buttons
are never pressed. It then reads the whole tracker and scores:

- facts: every fact the persona stated (``mentioned`` plus the facts answered at prompts)
  is in the tracker's slots with the right value, and no slot contradicts the persona's
  true profile (a stray reading such as an age stored as months of USCE counts as a
  misread fact);
- topics: each question asked got an answer on its topic. The topic of an answer is the
  ``question`` id in the bot message's metadata: every answer carries it (actions.answers,
  ``ANSWERED_QUESTION``), and a bot message without it answers no question;
- dead ends: the same reply twice in a row, or the same prompt again right after the
  persona answered it (a loop); and a prompt for a fact the persona already stated (a
  repeated question).

Run as a module to measure a model without pytest (starts its own servers):
``.venv/bin/python -m tests.conversations.runner --out results/blind.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from img_store.conversation import Channel, ConversationKey

HERE = Path(__file__).parent
BLIND_DIR = HERE / "blind"
FRESH_DIR = HERE / "blind_fresh"  # written after the #14 fixes, never read while fixing
GROUP_FILE = HERE / "blind_group" / "group30.yml"

# Issue #14's thresholds for the blind set, which `make test` holds: at least 95% of the facts
# stated read right, 90% of the questions answered on topic, no dead end (no loop, no
# question asked again for a fact already given); and the group set at least 27 of 30 right.
# Measured: before the #14 work 80.8% facts, 27.3% on topic, 6 loops, 2 repeated questions;
# 2026-11-26 morning (DIET) 91.2%, 36.4%, 10, 7; evening 98.7%, 78.5%, 2, 3; night (one call
# per turn, questions at prompts answered, routing, NLU phrasings, the parser) 99.9%, 90.9%,
# 0, 0, and the group set 29/30. The facts floor sits above the goal, where the bot is, so
# a regression fails; never lower a floor.
FACTS_GOAL = 0.95
TOPIC_GOAL = 0.90
GROUP_GOAL = 27
FACTS_FLOOR = 0.98
TOPIC_FLOOR = TOPIC_GOAL
MAX_LOOPS = 0
MAX_REPEATED_QUESTIONS = 0
# The fresh set's floors (tests/conversations/blind_fresh/, never read while fixing): first
# measured 2026-11-26 evening 94.4% facts, 47.7% on topic, 4 loops, 5 repeated questions;
# then 95.0%, 78.7%, 6, 6; night 95.7%, 86.5%, 3, 6. Floors at the measured level, with a
# small margin on the rates; the goals are the blind set's.
FRESH_FACTS_FLOOR = 0.95
FRESH_TOPIC_FLOOR = 0.85
FRESH_MAX_LOOPS = 3
FRESH_MAX_REPEATED_QUESTIONS = 6

# At most this many prompts are answered after the last turn: a bot that keeps asking past
# it is stuck (seven facts exist; corrections and confirmations may add a few).
MAX_PROMPTS = 10

# The form's slot -> the persona's `answers` key typed at that prompt.
PROMPT_ANSWER = {
    "step1": "step1",
    "step2_score": "step2",
    "step3": "step3",
    "visa": "visa",
    "graduation_year": "graduation_year",
    "usce_months": "usce",
    "specialty": "specialty",
}
# The facts an answer at each prompt states.
PROMPT_FACTS = {
    "step1": ("step1",),
    "step2_score": ("step2", "step2_score"),
    "step2_practice": ("step2_practice",),
    "step3": ("step3",),
    "visa": ("visa",),
    "graduation_year": ("graduation_year",),
    "usce_months": ("usce_months", "usce_kind"),
    "specialty": ("specialty",),
}
# The prompt that asks for each stated fact (asking it again is a repeated question).
FACT_PROMPT = {
    "step1": "step1",
    "step1_attempts": "step1",
    "step1_score": "step1",
    "step2": "step2_score",
    "step2_score": "step2_score",
    "step2_attempts": "step2_score",
    "step2_practice": "step2_practice",
    "step3": "step3",
    "visa": "visa",
    "graduation_year": "graduation_year",
    "usce_months": "usce_months",
    "usce_kind": "usce_months",
    "specialty": "specialty",
}
# A stray value in these slots is not a misreading when the persona's value is null: a
# practice score mentioned before the real CK, or a kind of USCE with none.
NULL_TOLERANT = frozenset({"step2_practice", "usce_kind"})

# Pass marks used only to derive a status from a score when the bot kept the score alone:
# a legacy 3-digit Step 1 score was always a pass when quoted, and 214 was the CK pass mark
# from July 2022 to June 2025 (218 since; 214-217 depends on the date, F3/F4).
STEP1_LEGACY_PASS = 188
CK_PASS = 214

REQUESTED_SLOT = "requested_slot"
# A reading the parser is unsure of, proposed back to the user as {slot: value}.
UNSURE_SLOT = "unsure_fact"
CONFIRM_PROMPT = "confirm"


def conversation_id(rest_sender: str) -> str:
    """The tracker's conversation id for a REST ``sender``: the one place that knows it.
    The server prefixes the channel (img_store.conversation), so REST can never name
    another channel's user."""
    return ConversationKey(Channel.REST, rest_sender).sender_id


# -- the sets ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[str, ...]
    answers: dict[str, str]
    facts: dict[str, Any]
    mentioned: tuple[str, ...]
    questions: tuple[str, ...]


def load_blind(directory: Path = BLIND_DIR) -> list[Conversation]:
    conversations = []
    for path in sorted(directory.glob("*.yml")):
        for item in yaml.safe_load(path.read_text())["conversations"]:
            conversations.append(
                Conversation(
                    id=item["id"],
                    turns=tuple(item["turns"]),
                    answers={k: str(v) for k, v in item["answers"].items()},
                    facts=dict(item["facts"]),
                    mentioned=tuple(item["mentioned"]),
                    questions=tuple(item["questions"]),
                )
            )
    return conversations


def load_group(path: Path = GROUP_FILE) -> list[Conversation]:
    """Each group message as its own conversation; every fact it holds was stated in it,
    and a prompt is answered from those facts (or declined when the message had none)."""
    return [
        Conversation(
            id=item["id"],
            turns=(item["text"],),
            answers=answers_from_facts(item["facts"]),
            facts=dict(item["facts"]),
            mentioned=tuple(item["facts"]),
            questions=tuple(item["questions"]),
        )
        for item in yaml.safe_load(path.read_text())["messages"]
    ]


_STATUS_TEXT = {
    "passed": "passed",
    "failed_then_passed": "failed once then passed",
    "failed": "failed it",
    "not_taken": "not taken yet",
}
_VISA_TEXT = {"j1": "j1", "h1b": "h1b", "either": "either is fine", "none": "i have a green card"}
DECLINE = "not sure"


def answers_from_facts(facts: dict[str, Any]) -> dict[str, str]:
    """Typed answers for the facts a group message gave (it has no `answers` of its own)."""
    answers: dict[str, str] = {}
    if facts.get("step1") in _STATUS_TEXT:
        answers["step1"] = _STATUS_TEXT[facts["step1"]]
    if facts.get("step2_score") is not None:
        answers["step2"] = str(facts["step2_score"])
    elif facts.get("step2") in _STATUS_TEXT:
        answers["step2"] = _STATUS_TEXT[facts["step2"]]
    if facts.get("step3") in _STATUS_TEXT:
        answers["step3"] = _STATUS_TEXT[facts["step3"]]
    if facts.get("visa") in _VISA_TEXT:
        answers["visa"] = _VISA_TEXT[facts["visa"]]
    if facts.get("graduation_year") is not None:
        answers["graduation_year"] = str(facts["graduation_year"])
    if facts.get("usce_months") is not None:
        months, kind = facts["usce_months"], facts.get("usce_kind")
        answers["usce"] = f"{months} months {(kind or 'hands on').replace('_', ' ')}"
        if months == 0:
            answers["usce"] = "no usce"
    if facts.get("specialty"):
        answers["specialty"] = facts["specialty"].replace("_", " ")
    return answers


def prompt_answer(conversation: Conversation, slot: str) -> tuple[str, tuple[str, ...]]:
    """What the persona types when asked for ``slot``, and the facts that answer states."""
    key = PROMPT_ANSWER.get(slot)
    if key is not None and key in conversation.answers:
        return conversation.answers[key], PROMPT_FACTS[slot]
    if slot == "step2_practice":
        practice = conversation.facts.get("step2_practice")
        if practice is not None:
            return f"nbme {practice}", PROMPT_FACTS[slot]
        return "no practice tests yet", ()
    return DECLINE, ()  # a fact the persona cannot give (or a prompt the set does not know)


# -- playing -------------------------------------------------------------------------------
@dataclass
class Exchange:
    """One message the persona typed and what followed it."""

    kind: str  # "turn" or "answer"
    prompt: str | None  # the slot answered (for "answer")
    replies: list[str]
    requested_after: str | None  # the slot the bot asks for after this message


@dataclass
class Played:
    conversation: Conversation
    exchanges: list[Exchange]
    answered_facts: list[str]
    tracker: dict


Say = Callable[[str, str], list[dict]]
GetTracker = Callable[[str], dict]


def play(conversation: Conversation, sender: str, say: Say, tracker: GetTracker) -> Played:
    exchanges: list[Exchange] = []
    answered_facts: list[str] = []
    slots: dict[str, Any] = {}

    def send(text: str, kind: str, prompt: str | None) -> None:
        nonlocal slots
        replies = [r.get("text") or "" for r in say(sender, text)]
        slots = tracker(conversation_id(sender)).get("slots") or {}
        exchanges.append(Exchange(kind, prompt, replies, slots.get(REQUESTED_SLOT)))

    def confirm_if_asked() -> None:
        # A reading the bot is unsure of is asked back at once ("is that your USCE?"),
        # and the persona says whether it is right, as anyone would before going on.
        for _ in range(MAX_PROMPTS):
            proposed = slots.get(UNSURE_SLOT)
            if not isinstance(proposed, dict) or not proposed:
                return
            send(confirmation(conversation, proposed), "answer", CONFIRM_PROMPT)

    for turn in conversation.turns:
        send(turn, "turn", None)
        confirm_if_asked()
    for _ in range(MAX_PROMPTS):
        requested = slots.get(REQUESTED_SLOT)
        if not requested:
            break
        if exchanges[-1].kind == "answer" and exchanges[-1].prompt == requested:
            break  # asked again right after being answered: a loop, scored below
        text, facts = prompt_answer(conversation, requested)
        answered_facts.extend(facts)
        send(text, "answer", requested)
        confirm_if_asked()
    final = tracker(conversation_id(sender))
    return Played(conversation, exchanges, answered_facts, final)


def confirmation(conversation: Conversation, proposed: dict[str, Any]) -> str:
    """ "yes" when every value the bot proposes is the persona's own, else "no"."""
    facts = conversation.facts
    right = all(k in facts and fact_right(k, facts[k], proposed) for k in proposed)
    return "yes" if right else "no"


# -- scoring -------------------------------------------------------------------------------
@dataclass(frozen=True)
class FactResult:
    key: str
    expected: Any
    stored: Any
    right: bool
    stated: bool  # False: a slot the persona never stated that contradicts the profile


@dataclass
class Score:
    id: str
    facts: list[FactResult]
    questions: list[str]
    answered_topics: list[str]
    loops: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    unanswered_prompts: list[str] = field(default_factory=list)
    fallbacks: int = 0

    @property
    def facts_right(self) -> int:
        return sum(f.right for f in self.facts)

    @property
    def on_topic(self) -> list[bool]:
        left = Counter(self.answered_topics)
        hits = []
        for question in self.questions:
            hits.append(left[question] > 0)
            left[question] -= 1
        return hits

    @property
    def dead_end(self) -> bool:
        return bool(self.loops or self.repeated)

    @property
    def good(self) -> bool:
        """Every fact right, every question on topic, no dead end."""
        return self.facts_right == len(self.facts) and all(self.on_topic) and not self.dead_end


def _status(slots: dict[str, Any], exam: str) -> Any:
    """An exam's status from its slot, or derived from a score kept alone."""
    status = slots.get(exam)
    if status is not None:
        return status
    if exam == "step1" and slots.get("step1_score") is not None:
        return "passed" if slots["step1_score"] >= STEP1_LEGACY_PASS else None
    if exam == "step2":
        if slots.get("step2_score") is not None:
            return "passed" if slots["step2_score"] >= CK_PASS else None
        if slots.get("step2_practice") is not None:
            return "not_taken"  # a practice estimate is only kept while CK is not taken
    return None


def _attempts(slots: dict[str, Any], exam: str) -> Any:
    attempts = slots.get(f"{exam}_attempts")
    if attempts is not None:
        return attempts
    return {"passed": 1, "failed_then_passed": 2, "failed": 1, "not_taken": 0}.get(
        _status(slots, exam)
    )


def stored_value(key: str, slots: dict[str, Any]) -> Any:
    """The value the tracker holds for a fact key of the blind format."""
    if key in ("step1", "step2"):
        return _status(slots, key)
    if key in ("step1_attempts", "step2_attempts"):
        return _attempts(slots, key.removesuffix("_attempts"))
    return slots.get(key)


def fact_right(key: str, expected: Any, slots: dict[str, Any]) -> bool:
    stored = stored_value(key, slots)
    # "Taken, score not out yet" has no status of its own in the sets: either way, no CK
    # score is known.
    if key == "step2" and expected == "not_taken" and stored == "pending":
        return True
    if key in ("step1", "step2") and {expected, stored} == {"failed_then_passed", "passed"}:
        # "passed on the 2nd attempt" may be kept as passed with two attempts
        return _attempts(slots, key) == 2 if expected == "failed_then_passed" else False
    if key == "usce_months" and expected is not None and isinstance(stored, int | float):
        return abs(stored - expected) <= 0.5
    return stored == expected


def score_facts(played: Played) -> list[FactResult]:
    conversation, slots = played.conversation, played.tracker.get("slots") or {}
    facts = conversation.facts
    stated = [k for k in (*conversation.mentioned, *played.answered_facts) if k in facts]
    stated = list(dict.fromkeys(stated))
    if "usce_kind" in stated and facts.get("usce_kind") is None:
        stated.remove("usce_kind")  # no kind to read when there is no USCE
    results = [
        FactResult(k, facts[k], stored_value(k, slots), fact_right(k, facts[k], slots), True)
        for k in stated
    ]
    wrong_status = {f.key for f in results if not f.right}
    for key, expected in facts.items():
        if key in stated or stored_value(key, slots) is None:
            continue
        if expected is None and key in NULL_TOLERANT:
            continue
        if key.endswith("_attempts") and key.removesuffix("_attempts") in wrong_status:
            continue  # one misreading of an exam's history, already counted on its status
        if key == "specialty" and "compare" in conversation.questions:
            continue  # two specialties weighed, none chosen: either may be the one kept
        if not fact_right(key, expected, slots):
            results.append(FactResult(key, expected, stored_value(key, slots), False, False))
    return results


def answered_topics(events: list[dict]) -> list[str]:
    """The topics the bot answered, in order: the question each of its messages names in
    its metadata."""
    return [q for event in events if event.get("event") == "bot" if (q := _label(event))]


def _label(event: dict) -> str | None:
    metadata = event.get("metadata") or {}
    for holder in (metadata, metadata.get("metadata") or {}):
        if isinstance(holder, dict) and isinstance(holder.get("question"), str):
            return holder["question"]
    return None


FALLBACK_ACTIONS = frozenset({"utter_default", "action_not_understood", "action_default_fallback"})


def fallbacks(events: list[dict]) -> int:
    """Messages the bot did not understand at all (its fallback)."""
    return sum(e.get("event") == "action" and e.get("name") in FALLBACK_ACTIONS for e in events)


def score(played: Played) -> Score:
    conversation = played.conversation
    topics = answered_topics(played.tracker.get("events") or [])
    result = Score(conversation.id, score_facts(played), list(conversation.questions), topics)
    result.fallbacks = fallbacks(played.tracker.get("events") or [])
    exchanges = played.exchanges
    for previous, current in itertools.pairwise(exchanges):
        if current.replies and current.replies == previous.replies:
            result.loops.append(f"same reply twice in a row (after a {current.kind})")
    for exchange in exchanges:
        if exchange.kind == "answer" and exchange.requested_after == exchange.prompt:
            result.loops.append(f"prompt {exchange.prompt} again right after its answer")
    stated_prompts = {FACT_PROMPT[k] for k in conversation.mentioned if k in FACT_PROMPT}
    # Only prompts after the last turn count: an earlier prompt may ask for a fact that a
    # later turn states.
    last_turn = max(i for i, e in enumerate(exchanges) if e.kind == "turn")
    for exchange in exchanges[last_turn:]:
        if exchange.requested_after in stated_prompts:
            result.repeated.append(f"asked {exchange.requested_after} already stated")
    if exchanges[-1].requested_after:
        result.unanswered_prompts.append(exchanges[-1].requested_after)
    return result


# -- report --------------------------------------------------------------------------------
def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 1.0


def _fact_category(fact: FactResult) -> str:
    if not fact.stated:
        return f"{fact.key}: stored though never stated, contradicts the profile"
    if fact.stored is None:
        return f"{fact.key}: stated but not stored"
    return f"{fact.key}: stored with a wrong value"


def summarize(scores: list[Score]) -> dict[str, Any]:
    facts = [f for s in scores for f in s.facts]
    topics = [hit for s in scores for hit in s.on_topic]
    categories: Counter[str] = Counter()
    topic_misses: Counter[str] = Counter()
    for s in scores:
        categories.update(_fact_category(f) for f in s.facts if not f.right)
        got = ", ".join(sorted(set(s.answered_topics))) or "no answer"
        for question, hit in zip(s.questions, s.on_topic, strict=True):
            if not hit:
                topic_misses[f"asked {question}, answered: {got}"] += 1
        categories.update(s.loops)
        categories.update(s.repeated)
    return {
        "conversations": len(scores),
        "facts": {"right": sum(f.right for f in facts), "total": len(facts)},
        "facts_rate": _ratio(sum(f.right for f in facts), len(facts)),
        "topics": {"on_topic": sum(topics), "total": len(topics)},
        "on_topic_rate": _ratio(sum(topics), len(topics)),
        "dead_ends": sum(bool(s.loops) for s in scores),
        "repeated_questions": sum(bool(s.repeated) for s in scores),
        "with_fallback": sum(s.fallbacks > 0 for s in scores),
        "good_conversations": sum(s.good for s in scores),
        "failure_categories": dict(categories.most_common()),
        "topic_misses": dict(topic_misses.most_common()),
    }


def score_json(s: Score) -> dict[str, Any]:
    return {
        "id": s.id,
        "good": s.good,
        "facts": [asdict(f) for f in s.facts],
        "questions": s.questions,
        "on_topic": s.on_topic,
        "answered_topics": s.answered_topics,
        "loops": s.loops,
        "repeated": s.repeated,
        "unanswered_prompts": s.unanswered_prompts,
        "fallbacks": s.fallbacks,
    }


def report(name: str, summary: dict[str, Any]) -> str:
    facts, topics = summary["facts"], summary["topics"]
    lines = [
        f"{name}: {summary['conversations']} conversations, "
        f"{summary['good_conversations']} fully right",
        f"  facts read right: {facts['right']}/{facts['total']} = {summary['facts_rate']:.1%}",
        f"  questions on topic: {topics['on_topic']}/{topics['total']} = "
        f"{summary['on_topic_rate']:.1%}",
        f"  dead ends (loops): {summary['dead_ends']}; "
        f"repeated questions: {summary['repeated_questions']}; "
        f"conversations with a fallback reply: {summary['with_fallback']}",
        "  failures by category:",
        *(f"    {n:3d}  {c}" for c, n in summary["failure_categories"].items()),
        "  questions off topic:",
        *(f"    {n:3d}  {c}" for c, n in summary["topic_misses"].items()),
    ]
    return "\n".join(lines)


def run_set(
    conversations: Iterable[Conversation],
    say: Say,
    tracker: GetTracker,
    tag: str,
    transcripts: list[dict] | None = None,
) -> list[Score]:
    scores = []
    for conversation in conversations:
        played = play(conversation, f"{tag}-{conversation.id}", say, tracker)
        scores.append(score(played))
        if transcripts is not None:
            transcripts.append(transcript(played))
    return scores


def transcript(played: Played) -> dict[str, Any]:
    """The whole exchange, for reading failures locally (it quotes the blind set: never
    share it with the engineers who fix the bot)."""
    conversation = played.conversation
    typed = [*conversation.turns]
    return {
        "id": conversation.id,
        "turns": typed,
        "exchanges": [asdict(e) for e in played.exchanges],
        "slots": {k: v for k, v in (played.tracker.get("slots") or {}).items() if v is not None},
    }


def measure(
    say: Say,
    tracker: GetTracker,
    tag: str,
    limit: int | None = None,
    transcripts: list[dict] | None = None,
) -> dict[str, Any]:
    """Both blind sets: summaries, per-conversation results and the printable report."""
    blind = run_set(load_blind()[:limit], say, tracker, f"{tag}-blind", transcripts)
    group = run_set(load_group()[:limit], say, tracker, f"{tag}-group", transcripts)
    fresh = run_set(load_blind(FRESH_DIR)[:limit], say, tracker, f"{tag}-fresh", transcripts)
    result = {
        "blind": summarize(blind),
        "group30": summarize(group),
        "fresh": summarize(fresh),
        "goals": {"facts": FACTS_GOAL, "on_topic": TOPIC_GOAL, "dead_ends": 0},
        "floors": {
            "facts": FACTS_FLOOR,
            "on_topic": TOPIC_FLOOR,
            "loops": MAX_LOOPS,
            "repeated_questions": MAX_REPEATED_QUESTIONS,
        },
        "group_goal": GROUP_GOAL,
        "blind_conversations": [score_json(s) for s in blind],
        "group_conversations": [score_json(s) for s in group],
        "fresh_conversations": [score_json(s) for s in fresh],
    }
    result["report"] = "\n".join(
        [
            report("blind set", result["blind"]),
            report("group30", result["group30"]),
            report("fresh blind set", result["fresh"]),
            f"goals (#14): facts {FACTS_GOAL:.0%}, on topic {TOPIC_GOAL:.0%}, no dead end; "
            f"group30 {GROUP_GOAL}/30. Floors held by make test: facts {FACTS_FLOOR:.0%}, "
            f"on topic {TOPIC_FLOOR:.0%}, at most {MAX_LOOPS} loops and "
            f"{MAX_REPEATED_QUESTIONS} repeated questions.",
        ]
    )
    return result


# -- command line: a stack of its own -----------------------------------------------------
def http_client(base_url: str, token: str) -> tuple[Say, GetTracker]:
    def say(sender: str, text: str) -> list[dict]:
        request = urllib.request.Request(
            f"{base_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def tracker(conversation: str) -> dict:
        quoted = urllib.parse.quote(conversation, safe=":")
        url = f"{base_url}/conversations/{quoted}/tracker?token={token}"
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.loads(response.read())

    return say, tracker


def main(argv: list[str] | None = None) -> int:
    import tempfile

    from tests.e2e.conftest import TOKEN, RasaStack, stack_env
    from tests.e2e.fake_apis import FakeApis

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/blind.json"))
    parser.add_argument("--tag", default="cli")
    parser.add_argument("--transcripts", type=Path, help="also write every exchange here")
    parser.add_argument("--limit", type=int, help="only the first N of each set (a smoke run)")
    args = parser.parse_args(argv)
    apis = FakeApis().start()
    workdir = Path(tempfile.mkdtemp(prefix="blind-"))
    env = stack_env(workdir, apis, RATE_LIMIT_PER_MINUTE="0")
    stack = RasaStack(workdir, env, apis, workdir / "tracker.db")
    try:
        stack.start()
        transcripts: list[dict] | None = [] if args.transcripts else None
        client = http_client(stack.base_url, TOKEN)
        result = measure(*client, args.tag, args.limit, transcripts)
    finally:
        stack.close()
        apis.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    if args.transcripts:
        args.transcripts.write_text(json.dumps(transcripts, indent=1))
    print(result["report"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
