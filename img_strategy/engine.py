"""The strategy engine: a profile and a question in, structured advice out.

Pure and deterministic: no I/O beyond the rule tables loaded once, no randomness, no clock
(the caller passes ``today``). Each :class:`Question` has exactly one answer function, in
the module of its family (``img_strategy.answers``); the scoring lives in
``img_strategy.assessment`` and the read-back of the profile in ``img_strategy.readback``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date

from img_strategy.advice import Advice, AdviceBuilder
from img_strategy.answers import application, exams, outlook
from img_strategy.answers.shared import AnswerContext

# Re-exported: the engine's public API (img_strategy/__init__.py, plan, standing).
from img_strategy.assessment import Assessment, assess, ck_target, hypothetical, program_range
from img_strategy.profile import ExamStatus, Field, Profile
from img_strategy.questions import Question
from img_strategy.readback import describe
from img_strategy.tables import Rules, default_rules

__all__ = [
    "Assessment",
    "advise",
    "assess",
    "ck_target",
    "describe",
    "hypothetical",
    "missing",
    "program_range",
]

# --------------------------------------------------------------------------------------------
# What a question still needs


def missing(
    question: Question, profile: Profile, skipped: Collection[Field] = ()
) -> tuple[Field, ...]:
    """Facts ``question`` needs that ``profile`` lacks, in asking order.

    ``skipped`` are facts the user declined to give; they are never asked again. When CK is
    not taken yet, the practice-exam estimate takes its place.
    """
    out: list[Field] = []
    for needed in question.needs:
        if needed in skipped:
            continue
        if not _known(needed, profile):
            out.append(needed)
        elif (
            needed == Field.STEP2
            and profile.step2 == ExamStatus.NOT_TAKEN
            and profile.step2_practice is None
            and Field.STEP2_PRACTICE not in skipped
        ):
            out.append(Field.STEP2_PRACTICE)
    return tuple(out)


def _known(needed: Field, profile: Profile) -> bool:
    return {
        Field.SPECIALTY: profile.specialty is not None,
        Field.STEP1: profile.step1 is not None,
        Field.STEP2: profile.step2_known,
        Field.STEP2_PRACTICE: profile.step2_practice is not None,
        Field.STEP3: profile.step3 is not None,
        Field.VISA: profile.visa is not None,
        Field.GRADUATION_YEAR: profile.graduation_year is not None,
        Field.USCE: profile.usce_months is not None,
    }[needed]


_HANDLERS: dict[Question, Callable[[AnswerContext], None]] = {
    Question.CHANCES: outlook.chances,
    Question.TARGET_SCORE: outlook.target_score,
    Question.REALISTIC_SPECIALTIES: outlook.realistic_specialties,
    Question.PROGRAMS: outlook.programs,
    Question.POSTPONE: exams.postpone,
    Question.CK_TIMING: exams.ck_timing,
    Question.PREPARATION: exams.preparation,
    Question.RETAKE: exams.retake,
    Question.RECOVERY: exams.recovery,
    Question.STEP3: exams.step3,
    Question.VISA: application.visa,
    Question.GRADUATION_YEAR: application.graduation_year,
    Question.USCE_LETTERS: application.usce_letters,
    Question.SIGNALING: application.signaling,
    Question.PERSONAL_STATEMENT: application.personal_statement,
    Question.MATCH_STATS: application.match_stats,
}


def advise(
    question: Question, profile: Profile, *, today: date, rules: Rules | None = None
) -> Advice:
    """Answer ``question`` for ``profile``. Same inputs, same advice, byte for byte."""
    rules = rules or default_rules()
    if question == Question.PLAN:
        from img_strategy.plan import build_plan  # the plan module builds on this one

        return build_plan(profile, today, rules=rules).advice
    builder = AdviceBuilder(rules, question, today=today)
    ctx = AnswerContext(rules, profile, today, builder)
    _HANDLERS[question](ctx)
    for line in describe(rules, profile, today):
        builder.fact(line)
    return builder.build()
