"""The strategy engine: a profile and a question in, structured advice out.

Pure and deterministic: no I/O beyond the rule tables loaded once, no randomness, no clock
(the caller passes ``today``). Each :class:`Question` names its answer function in the
question registry (``img_strategy.questions``); the functions live in the module of their
family (``img_strategy.answers``), the scoring in
``img_strategy.assessment`` and the read-back of the profile in ``img_strategy.readback``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING

from img_strategy.advice import Advice, AdviceBuilder
from img_strategy.answers.shared import AnswerContext, Handler, Recite
from img_strategy.asked import Asked

# Re-exported: the engine's public API (img_strategy/__init__.py, plan, standing).
from img_strategy.assessment import Assessment, assess, ck_target, hypothetical, program_range
from img_strategy.profile import ExamStatus, Field, Profile
from img_strategy.readback import describe
from img_strategy.tables import Rules, default_rules

if TYPE_CHECKING:  # the registry imports the answer modules, which never need it at run time
    from img_strategy.questions import Question

__all__ = [
    "Assessment",
    "Handler",
    "Recite",
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
    not taken yet, the practice-exam estimate takes its place; when it is taken and the
    score is still to come, nothing is asked: the user has said all there is to say.
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


def advise(
    question: Question,
    profile: Profile,
    *,
    today: date,
    rules: Rules | None = None,
    asked: Asked | None = None,
) -> Advice:
    """Answer ``question`` for ``profile``. Same inputs, same advice, byte for byte.
    ``asked`` is what the question itself named (the specialties to compare, the kind of
    uncovered question); only the handlers of those questions read it."""
    rules = rules or default_rules()
    builder = AdviceBuilder(rules, question, today=today)
    ctx = AnswerContext(rules, profile, today, builder, asked or Asked())
    whole = question.spec.handler(ctx)
    if whole is not None:  # a handler that builds its whole answer itself (the plan)
        return whole
    for line in describe(rules, profile, today):
        builder.fact(line)
    return builder.build()
