"""The rest of the application: visa, graduation year, USCE and letters, signaling, the
personal statement and Match statistics."""

from __future__ import annotations

from collections.abc import Callable

from img_strategy.answers.shared import AnswerContext, figure_in, join
from img_strategy.assessment import assess, effective_ck
from img_strategy.profile import Field, UsceKind, Visa
from img_strategy.readback import months_text


def visa(ctx: AnswerContext) -> None:
    profile = ctx.profile
    ck, _ = effective_ck(profile)
    modest = ctx.rules.figure("gen_band_240").low or 0
    verdict = {
        Visa.J1: "visa.verdict_j1",
        Visa.H1B: "visa.verdict_h1b",
        Visa.EITHER: "visa.verdict_either",
        Visa.NONE: "visa.verdict_none",
        None: "visa.verdict_unknown",
    }[profile.visa]
    ctx.builder.verdict(verdict)
    if profile.visa == Visa.NONE:
        return
    if profile.visa in (Visa.J1, Visa.EITHER, None):
        ctx.builder.say_each("visa.j1_requirements", "visa.j1_pathways", "visa.j1_home")
    if profile.visa in (Visa.H1B, Visa.EITHER, None):
        ctx.builder.say_each(
            "visa.h1b_requirements", "visa.h1b_share", "visa.h1b_fee", "visa.h1b_fee_scope"
        )
        if profile.step3 is None or not profile.step3.passed:
            ctx.builder.say("step3.verdict_h1b")
    if ck is not None and ck < modest and profile.visa in (Visa.H1B, Visa.EITHER):
        ctx.builder.say("visa.modest_ck")
    ctx.builder.say_each("visa.filter", "visa.communicate")


def graduation_year(ctx: AnswerContext) -> None:
    yog_lines(ctx, ctx.builder.verdict)


def yog_lines(ctx: AnswerContext, first: Callable[..., None]) -> None:
    """What the year of graduation means for this profile; ``first`` says the opening line
    (the verdict here, a plain line when another question leads, e.g. age)."""
    years = ctx.years
    concern_from = ctx.rules.figure("yog_concern_from").value or 0
    yog = ctx.rules.figure("yog_concern_years")
    if years is None:
        first("yog.verdict_unknown")
    elif years <= concern_from:
        first("yog.verdict_fresh", years=years)
    elif years <= (yog.high or 0):
        first("yog.verdict_caution", years=years)
    else:
        first("yog.verdict_old", years=years)
    if years is None or years > concern_from:
        ctx.builder.say_each("yog.aggressive", "yog.recent_usce")
    ctx.builder.say_each("yog.filter", "yog.delay_cost")


def usce_letters(ctx: AnswerContext) -> None:
    profile = ctx.profile
    months = profile.usce_months
    if months is None:
        ctx.builder.verdict("usce.verdict_unknown")
    elif months == 0:
        ctx.builder.verdict("usce.verdict_none")
    elif profile.usce_kind == UsceKind.OBSERVERSHIP:
        ctx.builder.verdict("usce.verdict_observer", usce_months_text=months_text(months))
    else:
        ctx.builder.verdict("usce.verdict_ok", usce_months_text=months_text(months))
    ctx.builder.say_each("usce.role", "usce.hands_on")
    if ctx.is_peds:
        ctx.builder.say_each(
            "usce.peds_months", "usce.peds_letters", "usce.peds_cv", "usce.commitment"
        )
    else:
        ctx.builder.say("usce.letters")
    ctx.builder.say("usce.research")


def signaling(ctx: AnswerContext) -> None:
    """Signal counts belong to one specialty and one Match; a field without a figure says
    so rather than borrowing another's (the pediatrics article's 5-10 is pediatrics-only)."""
    spec = ctx.specialty
    if spec is None:
        ctx.builder.verdict("signal.verdict_unknown")
    elif spec.signals_figure is None:
        ctx.builder.verdict("signal.no_figure", specialty=spec.name)
    else:
        ctx.builder.use_figure(spec.signals_figure)
        ctx.builder.verdict(
            "signal.verdict",
            specialty=spec.name,
            signals=figure_in(ctx, spec.signals_figure, "signal.verdict"),
        )
    if spec is not None and spec.id == "internal_medicine":
        ctx.builder.say("signal.im_prelim")
    if ctx.is_peds:
        ctx.builder.say("signal.peds_article")
    ctx.builder.say_each(
        "signal.pd_survey", "signal.connection", "signal.early", "signal.emails", "visa.communicate"
    )


def personal_statement(ctx: AnswerContext) -> None:
    profile = ctx.profile
    assessment = assess(ctx.rules, profile, profile.specialty, ctx.today)
    low = ctx.rules.figure("ck_low_threshold").value or 0
    issues = []
    if profile.step1_failures:
        issues.append("Step 1 fail")
    if profile.step2_failures or assessment.blocked_by == Field.STEP2:
        issues.append("Step 2 CK attempts")
    elif profile.step2_score is not None and profile.step2_score < low:
        issues.append("low Step 2 CK")
    name = ctx.specialty.name if ctx.specialty else "your specialty"
    if issues:
        ctx.builder.verdict("statement.verdict_flag", exam=join(issues))
        ctx.builder.say_each(
            "statement.own_it", "statement.evidence", "statement.addendum", "statement.interview"
        )
    else:
        ctx.builder.verdict("statement.verdict_clean", specialty=name)
    ctx.builder.say_each("statement.background", "statement.not_all_scores")


def match_stats(ctx: AnswerContext) -> None:
    ctx.builder.verdict("stats.verdict")
    ctx.builder.say_each(
        "stats.history", "stats.img_2024", "stats.compare", "count.interviews", "stats.strategy"
    )
