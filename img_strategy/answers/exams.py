"""The exams themselves: postponing CK, when to take it, how to prepare, retakes, recovering
from a low score or a fail, and Step 3."""

from __future__ import annotations

from img_strategy.answers import shared
from img_strategy.answers.shared import AnswerContext
from img_strategy.assessment import assess, ck_target
from img_strategy.profile import ExamStatus, Visa
from img_strategy.tables import Outlook


def postpone(ctx: AnswerContext) -> None:
    spec, profile = ctx.specialty, ctx.profile
    spec = spec or ctx.rules.specialties["internal_medicine"]
    if ctx.profile.specialty is None:
        ctx.builder.assume("No specialty given: the general (core specialty) target is used.")
    target, target_figure = ck_target(ctx.rules, profile, spec)
    ctx.builder.use_figure(target_figure)
    ctx.builder.table = spec.table
    years = ctx.years
    yog_from = ctx.rules.figure("yog_concern_from").value or 0
    if profile.step2_score is not None:
        assessment = assess(ctx.rules, profile, spec.id, ctx.today)
        ctx.builder.verdict("postpone.verdict_taken")
        if assessment.blocked_by:
            shared.blocked_lines(ctx, assessment.blocked_by)
            return
        ctx.builder.say(
            "postpone.apply_now" if profile.step2_score >= target else "postpone.delay_value"
        )
        if profile.step2_score < target:
            ctx.builder.say("step3.verdict_helps")  # a low *passed* CK: Step 3 can show more
        if years is not None and years > yog_from:
            ctx.builder.say("postpone.yog_cost", years=years)
        return
    practice = profile.step2_practice
    if practice is None:
        ctx.builder.verdict("postpone.verdict_no_practice", target=target)
        ctx.builder.say("postpone.rule_gap" if ctx.is_peds else "postpone.gen_consider")
        ctx.builder.say_each("postpone.rule_general", "prep.practice_start")
        return
    gap = target - practice
    if ctx.is_peds:
        postpone_peds(ctx, practice, gap, target)
    else:
        postpone_general(ctx, practice, gap, target)
    if years is not None and years > yog_from and gap > 0:
        ctx.builder.say("postpone.yog_cost", years=years)


def postpone_peds(ctx: AnswerContext, practice: int, gap: int, target: int) -> None:
    """Pediatrics article: seriously consider a delay more than 10-15 points under the
    target range, or under about 225 when aiming at this cycle."""
    gap_low = ctx.rules.figure("postpone_gap_points").low or 0
    floor = ctx.rules.figure("postpone_peds_floor").value or 0
    if gap > gap_low or practice < floor:
        ctx.builder.verdict("postpone.verdict_delay", practice=practice, gap=gap, target=target)
        ctx.builder.say_each("postpone.extra_months", "postpone.delay_year")
    elif gap > 0:
        ctx.builder.verdict("postpone.verdict_consider", practice=practice, gap=gap, target=target)
    else:
        ctx.builder.verdict("postpone.verdict_keep", practice=practice, target=target)
    ctx.builder.say_each("postpone.rule_gap", "postpone.rule_floor", "postpone.content_gaps")


def postpone_general(ctx: AnswerContext, practice: int, gap: int, target: int) -> None:
    """General article: when practice exams predict far below what you need (its example:
    under 220 when you need 235+), it may be wiser to delay."""
    far_below = ctx.rules.figure("practice_far_below_example").value or 0
    if practice < far_below and gap > 0:
        ctx.builder.verdict("postpone.verdict_delay_general", practice=practice, target=target)
    elif gap > 0:
        ctx.builder.verdict("postpone.verdict_consider", practice=practice, gap=gap, target=target)
    else:
        ctx.builder.verdict("postpone.verdict_keep", practice=practice, target=target)
    ctx.builder.say_each("postpone.rule_general", "postpone.gen_consider")


def ck_timing(ctx: AnswerContext) -> None:
    profile = ctx.profile
    ctx.builder.verdict("timing.verdict")
    ctx.builder.say("timing.why")
    if profile.step1 == ExamStatus.NOT_TAKEN:
        ctx.builder.say("timing.step1_gap")
    if profile.step1_failures or (
        profile.step1_score is not None
        and profile.step1_score < (ctx.rules.figure("peds_legacy_academic_concern").value or 0)
    ):
        ctx.builder.say("timing.weak_profile")
    ctx.builder.say_each("timing.late", "timing.no_score", "timing.cycle")


def preparation(ctx: AnswerContext) -> None:
    profile = ctx.profile
    ctx.builder.verdict("prep.verdict")
    if profile.step1 in (ExamStatus.NOT_TAKEN, ExamStatus.FAILED):
        ctx.builder.say("prep.step1_first")
        if ctx.is_peds:
            ctx.builder.say("prep.step1_peds_topics")
        ctx.builder.say("timing.step1_gap")
    ctx.builder.say_each("prep.foundation", "prep.qbank", "prep.refine", "prep.practice_start")
    if ctx.is_peds:
        ctx.builder.say("prep.peds_passes")
    ctx.builder.say_each("prep.resources", "prep.focus")
    if profile.graduation_year is not None:
        ctx.builder.say("prep.clinical_base")


def retake(ctx: AnswerContext) -> None:
    profile = ctx.profile
    assessment = assess(ctx.rules, profile, profile.specialty, ctx.today)
    if assessment.blocked_by is not None:
        ctx.builder.verdict("retake.failed")
    elif assessment.ck_depends_on_date:
        ctx.builder.verdict("ck.both_readings_retake", **ctx.date_readings(assessment))
    else:
        ctx.builder.verdict("retake.passed")
    shared.ck_standing_lines(ctx, assessment)
    if assessment.blocked_by is None:
        ctx.builder.say("retake.instead")
        if profile.step1 is None and profile.step2 is None:
            ctx.builder.say("retake.failed")
        ctx.builder.say("retake.limit")
    ctx.builder.say("fact.clean_transcript")


def recovery(ctx: AnswerContext) -> None:
    profile = ctx.profile
    assessment = assess(ctx.rules, profile, profile.specialty, ctx.today)
    ctx.builder.table, ctx.builder.outlook = assessment.table, assessment.outlook
    ctx.builder.verdict("recovery.verdict")
    shared.ck_standing_lines(ctx, assessment, "ck.both_readings_general")
    ctx.builder.say_each("recovery.analyse", "recovery.low_defined")
    shared.declining_lines(ctx, assessment)
    if profile.step2_score is not None and not assessment.blocked_by:
        ctx.builder.say_each("retake.passed", "retake.instead")
    ctx.builder.say_each(
        "recovery.context",
        "recovery.usce",
        "recovery.letters",
        "recovery.research",
        "recovery.targets",
    )
    low = ctx.rules.figure("ck_low_threshold").value or 0
    if (
        assessment.ck_passed and assessment.ck is not None and assessment.ck < low
    ):  # Step 3 is for a low *passed* CK
        ctx.builder.say_each("step3.verdict_helps", "step3.caution")
    ctx.builder.say("statement.own_it")
    if assessment.outlook is not None and assessment.outlook <= Outlook.SIGNIFICANT_CHALLENGE:
        ctx.builder.say("recovery.two_cycle")
    ctx.builder.say("recovery.apply_broadly")


def step3(ctx: AnswerContext) -> None:
    profile = ctx.profile
    assessment = assess(ctx.rules, profile, profile.specialty, ctx.today)
    ck = assessment.ck
    low = ctx.rules.figure("ck_low_threshold").value or 0
    modest = ctx.rules.figure("gen_band_240").low or 0
    low_passed_ck = assessment.ck_passed and ck is not None and ck < low
    if profile.step3 is not None and profile.step3.passed:
        ctx.builder.verdict("step3.verdict_done")
    elif profile.visa == Visa.H1B:
        ctx.builder.verdict("step3.verdict_h1b")
    elif assessment.blocked_by is not None:
        ctx.builder.verdict(
            "verdict.chances_blocked",
            specialty="residency",
            exam=ctx.exam_name(assessment.blocked_by),
        )
        shared.blocked_lines(ctx, assessment.blocked_by)
    elif low_passed_ck:
        ctx.builder.verdict("step3.verdict_helps")
    else:
        ctx.builder.verdict("step3.verdict_optional")
    ctx.builder.say_each("step3.helps", "step3.caution")
    if profile.visa in (Visa.H1B, Visa.EITHER, None):
        ctx.builder.say("step3.h1b_rule")
    if ck is not None and ck < modest and profile.visa in (Visa.EITHER, Visa.J1, None):
        ctx.builder.say("step3.modest_ck")
