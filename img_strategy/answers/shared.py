"""What every answer works with (:class:`AnswerContext`), and the lines several question
families share: failed exams, red flags, a CK read by its exam date, dated figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from img_strategy.advice import Advice, AdviceBuilder
from img_strategy.asked import Asked
from img_strategy.assessment import Assessment
from img_strategy.passmarks import mark_on
from img_strategy.profile import Field, Profile
from img_strategy.tables import Outlook, PenaltyKind, Rules, Specialty, Table


@dataclass
class AnswerContext:
    rules: Rules
    profile: Profile
    today: date
    builder: AdviceBuilder
    asked: Asked = field(default_factory=Asked)  # what the question named ("IM or FM?")

    @property
    def specialty(self) -> Specialty | None:
        sid = self.profile.specialty
        return self.rules.specialties.get(sid) if sid else None

    @property
    def years(self) -> int | None:
        return self.profile.years_since_graduation(self.today)

    @property
    def is_peds(self) -> bool:
        spec = self.specialty
        return spec is not None and spec.table == Table.PEDIATRICS

    def outlook_word(self, outlook: Outlook) -> str:
        return self.builder.text(f"outlook.{outlook.name.lower()}")

    def exam_name(self, exam: Field) -> str:
        return self.rules.statement(f"exam.{exam.value}").text

    def kinds(self, kind_ids: list[str]) -> None:
        self.builder.say_list("count.kinds_intro", [f"kind.{k}" for k in kind_ids])

    def date_readings(self, assessment: Assessment) -> dict[str, str]:
        """Context for the ``ck.both_readings*`` statements: the day a date-dependent CK
        stopped passing and the pass mark before it (both figures, recorded as used)."""
        reading = assessment.ck_reading
        assert reading is not None and reading.cutoff and reading.mark_before
        cutoff_figure = f"{reading.cutoff.figure}_date"
        self.builder.use_figure(cutoff_figure)
        self.builder.use_figure(reading.mark_before.figure)
        return {
            "ck": str(assessment.ck),
            "cutoff_date": self.rules.figure(cutoff_figure).display,
            "pass_mark": self.rules.figure(reading.mark_before.figure).display,
        }


# A question's answer function says its answer through ``ctx.builder``; one that builds a
# whole answer of its own (the dated plan) returns it instead.
Handler = Callable[[AnswerContext], Advice | None]


@dataclass(frozen=True)
class Recite:
    """An answer from the guidance alone, the same for everyone: a verdict statement, then
    further statements in order (declared in the question registry)."""

    verdict: str
    says: tuple[str, ...] = ()

    def __call__(self, ctx: AnswerContext) -> None:
        ctx.builder.verdict(self.verdict)
        ctx.builder.say_each(*self.says)


def passed_on_date_line(ctx: AnswerContext, assessment: Assessment) -> None:
    """A CK under today's pass mark that passed on the day it was taken says so."""
    profile = ctx.profile
    if profile.step2_date is None or profile.step2_score is None or not assessment.ck_passed:
        return
    current = ctx.rules.figure("ck_passing_score")
    if profile.step2_score >= (current.value or 0):
        return
    mark = mark_on(ctx.rules, profile.step2_date)
    ctx.builder.use_figure(mark.figure)
    ctx.builder.say(
        "ck.passed_then",
        taken=profile.step2_date.strftime("%B %Y"),
        pass_mark=ctx.rules.figure(mark.figure).display,
        ck=profile.step2_score,
    )


def dated_specialty_lines(ctx: AnswerContext, spec: Specialty) -> None:
    """Cycle figures for one specialty (F21, F22); none is borrowed from another field."""
    if spec.img_share_figure:
        ctx.builder.use_figure(spec.img_share_figure)
        ctx.builder.say(
            "fact.img_share", share=figure_in(ctx, spec.img_share_figure, "fact.img_share")
        )
    if spec.id == "family_medicine":
        ctx.builder.say("fact.fm_charting")


def figure_in(ctx: AnswerContext, figure_id: str, statement_id: str) -> str:
    return ctx.rules.figure_text(figure_id, ctx.rules.statement(statement_id))


def blocked_lines(ctx: AnswerContext, exam: Field) -> None:
    profile = ctx.profile
    ctx.builder.say("flag.step1_not_passed" if exam == Field.STEP1 else "flag.step2_not_passed")
    ctx.builder.say("retake.failed")
    attempts = profile.step1_attempts if exam == Field.STEP1 else profile.step2_attempts
    attempts_line(ctx, attempts)


def attempts_line(ctx: AnswerContext, attempts: int | None) -> None:
    if attempts:
        limit = int(ctx.rules.figure("max_attempts").value or 0)
        ctx.builder.say(
            "flag.attempts_left", attempts=attempts, attempts_left=max(0, limit - attempts)
        )
    else:
        ctx.builder.say("retake.limit")


def penalty_lines(ctx: AnswerContext, assessment: Assessment) -> None:
    profile = ctx.profile
    for penalty in assessment.penalties:
        ctx.builder.cite(penalty.id, penalty.source)
        if penalty.kind == PenaltyKind.YOG_BEYOND_CONCERN:
            ctx.builder.say(penalty.statement, years=ctx.years)
        elif penalty.kind == PenaltyKind.STEP1_FAILED_REPEATEDLY:
            ctx.builder.say(penalty.statement, failures=profile.step1_failures)
        elif penalty.kind == PenaltyKind.STEP2_FAILED_REPEATEDLY:
            ctx.builder.say(penalty.statement, failures=profile.step2_failures)
        else:
            ctx.builder.say(penalty.statement)
        if penalty.kind in (PenaltyKind.STEP1_FAILED_ONCE, PenaltyKind.STEP1_FAILED_REPEATEDLY):
            if ctx.is_peds:
                ctx.builder.say_each(
                    "flag.peds_fail_possible", "flag.peds_fail_hospitals", "flag.step1_fail_peds"
                )
            else:
                ctx.builder.say_each("target.counterbalance", "fact.ck_offsets")
            ctx.builder.say("statement.own_it")


def legacy_step1_lines(ctx: AnswerContext, assessment: Assessment) -> None:
    profile = ctx.profile
    if profile.step1_score is None:
        return
    declining_lines(ctx, assessment)
    if ctx.is_peds:
        band = ctx.rules.legacy_step1[Table.PEDIATRICS].lookup(profile.step1_score)
        ctx.builder.cite(band.id, band.source)
        ctx.builder.say(band.statement, step1_score=profile.step1_score)
        if profile.step1_score < (ctx.rules.figure("peds_legacy_academic_concern").value or 0):
            ctx.builder.say("target.legacy_academic")


def declining_lines(ctx: AnswerContext, assessment: Assessment) -> None:
    """A real CK significantly below a legacy numeric Step 1 reads as a decline: at least
    one standard deviation of CK scores, the smallest gap read as significant."""
    step1 = ctx.profile.step1_score
    if step1 is None or assessment.ck is None or assessment.ck_is_estimate:
        return
    gap = step1 - assessment.ck
    if gap >= (ctx.rules.figure("ck_sd_points").value or 0):
        ctx.builder.say("flag.declining", ck=assessment.ck, step1_score=step1, gap=gap)


def ck_standing_lines(
    ctx: AnswerContext, assessment: Assessment, reading: str | None = None
) -> None:
    """What must happen first: pass a failed exam, or say when a date-dependent CK was
    taken (after ``reading``, the statement giving both readings, when the verdict did not);
    a CK that passed under an older mark says so."""
    if assessment.blocked_by is not None:
        blocked_lines(ctx, assessment.blocked_by)
    elif assessment.ck_depends_on_date:
        if reading is not None:
            ctx.builder.say(reading, **ctx.date_readings(assessment))
        ctx.builder.say("ck.ask_date")
    else:
        passed_on_date_line(ctx, assessment)


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
