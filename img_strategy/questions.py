"""The questions the advisor answers, and which profile facts each one needs."""

from __future__ import annotations

from enum import Enum

from img_strategy.profile import Field


class Question(str, Enum):
    CHANCES = "chances"  # "can I match peds with a Step 1 fail?"
    TARGET_SCORE = "target_score"  # "what CK do I need for IM?"
    REALISTIC_SPECIALTIES = "realistic_specialties"
    PROGRAMS = "programs"  # how many programs, and which kinds
    POSTPONE = "postpone"  # delay CK or the application?
    CK_TIMING = "ck_timing"  # when to take CK relative to ERAS
    PREPARATION = "preparation"
    RETAKE = "retake"
    RECOVERY = "recovery"  # low score or fail: what now
    STEP3 = "step3"
    VISA = "visa"
    GRADUATION_YEAR = "graduation_year"
    USCE_LETTERS = "usce_letters"
    SIGNALING = "signaling"
    PERSONAL_STATEMENT = "personal_statement"
    MATCH_STATS = "match_stats"
    PLAN = "plan"  # "make me a plan", "timeline till match" (img_strategy/plan.py)

    @property
    def title(self) -> str:
        return _TITLES[self]

    @property
    def needs(self) -> tuple[Field, ...]:
        """Facts asked for, in the order a good advisor would ask them."""
        return _NEEDS[self]


_TITLES = {
    Question.CHANCES: "My chances",
    Question.TARGET_SCORE: "Target CK score",
    Question.REALISTIC_SPECIALTIES: "Realistic specialties",
    Question.PROGRAMS: "How many programs?",
    Question.POSTPONE: "Should I postpone?",
    Question.CK_TIMING: "When to take CK",
    Question.PREPARATION: "How to prepare",
    Question.RETAKE: "Retaking an exam",
    Question.RECOVERY: "Recovering from a low score",
    Question.STEP3: "Step 3",
    Question.VISA: "J-1 vs H-1B",
    Question.GRADUATION_YEAR: "Year of graduation",
    Question.USCE_LETTERS: "USCE and letters",
    Question.SIGNALING: "Signaling",
    Question.PERSONAL_STATEMENT: "Personal statement",
    Question.MATCH_STATS: "Match statistics",
    Question.PLAN: "My plan",
}

S, S1, S2, S3 = Field.SPECIALTY, Field.STEP1, Field.STEP2, Field.STEP3
V, Y, U = Field.VISA, Field.GRADUATION_YEAR, Field.USCE

# Questions answerable from the guidance alone (timing, preparation, visa rules, stats) need
# nothing; the handlers still use whatever the profile holds.
_NEEDS: dict[Question, tuple[Field, ...]] = {
    Question.CHANCES: (S, S1, S2, V, Y),
    Question.TARGET_SCORE: (S,),
    Question.REALISTIC_SPECIALTIES: (S1, S2, V, Y),
    Question.PROGRAMS: (S, S1, S2, V),
    Question.POSTPONE: (S, S2),
    Question.CK_TIMING: (),
    Question.PREPARATION: (),
    Question.RETAKE: (S1, S2),
    Question.RECOVERY: (S1, S2),
    Question.STEP3: (V, S2),
    Question.VISA: (),
    Question.GRADUATION_YEAR: (Y,),
    Question.USCE_LETTERS: (U,),
    Question.SIGNALING: (),
    Question.PERSONAL_STATEMENT: (S1, S2),
    Question.MATCH_STATS: (),
    # Where Step 1 and CK stand decides the whole timeline; the rest is used when known.
    Question.PLAN: (S1, S2),
}
