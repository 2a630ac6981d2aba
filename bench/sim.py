"""Simulated IMGs for load tests: each has a profile of their own and talks like a user —
asks a question, answers the form's questions (by reading the bot's replies), asks a
what-if, corrects their CK score, asks again and finally asks "why?".

Each user's final "why?" reply must list that user's own facts; with a distinct
(CK, visa, specialty) per user, another user's facts showing up is cross-talk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import product
from pathlib import Path

import yaml

from actions.messages import ASK_CONSENT, WHY
from img_strategy import Profile, Visa, default_rules, describe
from img_strategy.parsing import parse_specialty
from img_strategy.profile import ExamStatus

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
SPECIALTIES = ("internal medicine", "pediatrics", "family medicine", "psychiatry", "neurology")
VISAS = {Visa.J1: "I need a J1", Visa.H1B: "I need an H1B", Visa.NONE: "I have a green card"}
STEP1 = {
    ExamStatus.PASSED: "passed step 1 on the first attempt",
    ExamStatus.FAILED_THEN_PASSED: "failed step 1 once then passed",
}
SCORES = range(205, 261)
MAX_FORM_TURNS = 8


@lru_cache(maxsize=1)
def form_questions() -> dict[str, str]:
    """The form's question per slot, as the bot says it (utter_ask_<slot> in domain.yml)."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
    prefix = "utter_ask_"
    return {
        name.removeprefix(prefix): variants[0]["text"]
        for name, variants in responses.items()
        if name.startswith(prefix)
    }


@dataclass(frozen=True)
class SimProfile:
    specialty: str
    visa: Visa
    step1: ExamStatus
    ck: int
    corrected_ck: int
    graduation_year: int

    def expected_facts(self) -> tuple[str, ...]:
        """What the final "why?" must read back (after the correction)."""
        profile = Profile(
            specialty=parse_specialty(self.specialty),
            visa=self.visa,
            step2_score=self.corrected_ck,
        )
        return describe(default_rules(), profile, TODAY)


def profiles(count: int) -> list[SimProfile]:
    """``count`` users with pairwise distinct (CK, corrected CK, visa, specialty)."""
    combos = product(SCORES, list(VISAS), SPECIALTIES)
    made: list[SimProfile] = []
    for index, (ck, visa, specialty) in enumerate(combos):
        if index >= count:
            break
        made.append(
            SimProfile(
                specialty=specialty,
                visa=visa,
                step1=list(STEP1)[index % 2],
                ck=ck,
                corrected_ck=SCORES[(ck - SCORES[0] + 17) % len(SCORES)],
                graduation_year=2015 + index % 11,
            )
        )
    if len(made) < count:
        raise ValueError(f"at most {len(list(product(SCORES, VISAS, SPECIALTIES)))} users")
    return made


@dataclass
class Conversation:
    """One user's side of the conversation: ``next_message(replies)`` gives what to say
    after the bot's replies, or None when done."""

    profile: SimProfile
    stage: int = 0
    form_turns: int = 0
    sent: list[str] = field(default_factory=list)
    last_why: str = ""

    def _answer_form(self, replies: str) -> str | None:
        answers = {
            "specialty": self.profile.specialty,
            "step1": STEP1[self.profile.step1],
            "step2_score": f"my ck was {self._ck()}",
            "step2_practice": "skip",
            "visa": VISAS[self.profile.visa],
            "graduation_year": f"graduated in {self.profile.graduation_year}",
            "usce_months": "none",
            "step3": "not taken step 3",
        }
        for slot, question in form_questions().items():
            if question in replies:
                return answers[slot]
        if ASK_CONSENT in replies:
            return "no"
        return None

    def _ck(self) -> int:
        return self.profile.corrected_ck if self.stage >= 3 else self.profile.ck

    def script(self) -> Iterator[str]:
        """The planned turns between form answers."""
        yield "hi"
        yield f"how many {self.profile.specialty} programs should I apply to"
        yield f"what if my ck were {min(self.profile.ck + 12, 275)}"
        yield f"actually my ck was {self.profile.corrected_ck}"
        yield "how many programs should I apply to"
        yield WHY

    def next_message(self, replies: str) -> str | None:
        if self.sent and self.sent[-1] == WHY:
            self.last_why = replies
            return None
        answer = self._answer_form(replies) if self.sent else None
        if answer is not None and self.form_turns < MAX_FORM_TURNS:
            self.form_turns += 1
            message = answer
        else:
            planned = list(self.script())
            if self.stage >= len(planned):
                return None
            message = planned[self.stage]
            self.stage += 1
        self.sent.append(message)
        return message

    def cross_talk(self) -> list[str]:
        """Expected facts missing from the final "why?" (empty when all is well)."""
        return [fact for fact in self.profile.expected_facts() if fact not in self.last_why]


# A fixed script of the same length and kind for the reference bot, which has no form.
REFERENCE_SCRIPT = (
    "hi",
    "how many pediatrics programs should I apply to",
    "passed step 1 on the first attempt",
    "my ck was 233",
    "I need a J1",
    "graduated in 2022",
    "no",
    "what if my ck were 245",
    "actually my ck was 238",
    "how many programs should I apply to",
    "why?",
)
