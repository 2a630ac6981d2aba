"""Handlers for the questions IMGs ask beyond scores and program counts (issue #14):
filters, explaining a fail, observerships, age, reapplying, prelim years, comparing two
specialties, and an honest answer for what the guidance does not cover.

Each is named by its entry in the question registry (``img_strategy.questions``); explaining
a fail only recites statements, so its entry declares them. Wording and figures come from
``rules/statements.yml`` (``topic.*``) and ``rules/figures.yml``.
"""

from __future__ import annotations

from img_strategy.answers.application import yog_lines
from img_strategy.answers.shared import AnswerContext, join
from img_strategy.asked import Uncovered
from img_strategy.assessment import assess
from img_strategy.profile import UsceKind
from img_strategy.readback import months_text
from img_strategy.tables import Outlook, Table

# ---------------------------------------------------------------------------------------------
# Will X filter me out?


def filter_out(ctx: AnswerContext) -> None:
    p = ctx.profile
    a = assess(ctx.rules, p, p.specialty, ctx.today)
    filters = ctx.rules.figure("ck_filter_community")
    concern = ctx.rules.figure("yog_concern_years")
    years = ctx.years
    said = False
    if p.step1_failures:
        ctx.builder.verdict("topic.filter_step1_fail")
        said = True
    if a.ck is not None and not a.ck_is_estimate:
        low = a.ck < (filters.low or 0)
        key = "topic.filter_ck_low" if low else "topic.filter_ck_ok"
        (ctx.builder.say if said else ctx.builder.verdict)(key, ck=a.ck)
        said = True
    if years is not None and years > (concern.high or 0):
        (ctx.builder.say if said else ctx.builder.verdict)("topic.filter_yog", years=years)
        said = True
    if not said:
        ctx.builder.verdict("topic.filter_unknown")
    ctx.builder.say("target.peds_filters" if ctx.is_peds else "target.gen_filters")
    ctx.builder.say("target.not_a_cutoff")
    ctx.builder.say("topic.filter_offset")
    ctx.builder.say("topic.filter_gap")
    if p.visa is not None:
        ctx.builder.say("visa.filter")
    if p.step1_failures or (a.outlook is not None and a.outlook <= Outlook.CHALLENGING):
        ctx.builder.say("recovery.targets")


# ---------------------------------------------------------------------------------------------
# Is an observership USCE?


def observership(ctx: AnswerContext) -> None:
    p = ctx.profile
    ctx.builder.verdict("topic.observer_verdict")
    if p.usce_kind == UsceKind.OBSERVERSHIP and p.usce_months:
        ctx.builder.say("topic.observer_yours", usce_months_text=months_text(p.usce_months))
    if ctx.is_peds:
        ctx.builder.say("topic.observer_peds")
    ctx.builder.say("topic.observer_network")
    ctx.builder.say("usce.role")
    ctx.builder.say("usce.hands_on")


# ---------------------------------------------------------------------------------------------
# Is my age a problem?


def age(ctx: AnswerContext) -> None:
    ctx.builder.verdict("topic.age_verdict")
    yog_lines(ctx, ctx.builder.say)
    ctx.builder.say("topic.age_program")


# ---------------------------------------------------------------------------------------------
# Reapplying after not matching


def reapply(ctx: AnswerContext) -> None:
    ctx.builder.verdict("topic.reapply_verdict")
    ctx.builder.say("count.interviews")
    ctx.builder.say("recovery.usce")
    ctx.builder.say("recovery.letters")
    ctx.builder.say("recovery.research")
    ctx.builder.say("topic.reapply_step3")
    ctx.builder.say("recovery.two_cycle")
    ctx.builder.say("recovery.targets")
    ctx.builder.say("recovery.apply_broadly")
    if ctx.years is not None:
        ctx.builder.say("postpone.yog_cost", years=ctx.years)


# ---------------------------------------------------------------------------------------------
# Prelim or transitional year


def prelim(ctx: AnswerContext) -> None:
    ctx.builder.verdict("topic.prelim_verdict")
    ctx.builder.say("topic.prelim_not_covered")
    ctx.builder.say("topic.prelim_categorical")
    spec = ctx.specialty
    if spec is not None and not ctx.is_peds:
        ctx.builder.say(ctx.rules.groups[spec.group].statement, specialty=spec.name)
    ctx.builder.say("usce.hands_on")


# ---------------------------------------------------------------------------------------------
# "IM or FM?"


def compare(ctx: AnswerContext) -> None:
    names = [s for s in ctx.asked.specialties if s in ctx.rules.specialties]
    own = ctx.profile.specialty
    if len(names) == 1 and own in ctx.rules.specialties and own != names[0]:
        # "should I just go for IM instead?": the other option is the one already chosen.
        names = [own, names[0]]
    two_named = len(names) >= 2
    if not two_named:
        names = list(ctx.rules.realism_candidates)
    assessed = [(sid, assess(ctx.rules, ctx.profile, sid, ctx.today)) for sid in names]
    known = [(sid, a) for sid, a in assessed if a.outlook is not None]
    ctx.builder.table = Table.GENERAL
    label = join([ctx.rules.specialties[sid].name for sid in names])
    if not known:
        ctx.builder.verdict("verdict.chances_no_ck", specialty=label)
        ctx.builder.say("fact.ck_primary")
        ctx.builder.say("target.gen_filters")
        return
    best = max(a.outlook for _, a in known)  # type: ignore[type-var]
    ctx.builder.outlook = best
    lines = [(ctx.rules.specialties[sid].name, ctx.outlook_word(a.outlook)) for sid, a in known]  # type: ignore[arg-type]
    if two_named:
        comparison = "; ".join(f"{name}: {word}" for name, word in lines)
        ctx.builder.verdict("topic.compare_verdict", specialty=label, comparison=comparison)
    else:
        ctx.builder.verdict("topic.compare_need_two")
        for name, word in lines:
            ctx.builder.say("realism.line", specialty=name, outlook=word)
    leaders = [ctx.rules.specialties[sid].name for sid, a in known if a.outlook == best]
    if len(leaders) == len(known):
        ctx.builder.say("topic.compare_same")
    else:
        ctx.builder.say("topic.compare_better", specialty=join(leaders))
    for sid, a in known:
        spec = ctx.rules.specialties[sid]
        if a.band is not None:
            ctx.builder.cite(a.band.id, a.band.source)
        if not two_named:
            continue
        if spec.table == Table.PEDIATRICS:
            ctx.builder.say("fact.peds_img_friendly")
        else:
            ctx.builder.say(ctx.rules.groups[spec.group].statement, specialty=spec.name)


# ---------------------------------------------------------------------------------------------
# Not covered by the guidance

_UNCOVERED_STATEMENTS = {
    Uncovered.FEES: "topic.scope_fees",
    Uncovered.IMMIGRATION: "topic.scope_immigration",
    Uncovered.ECFMG: "topic.scope_ecfmg",
    Uncovered.MATCH_RULES: "topic.scope_match_rules",
    Uncovered.PROGRAM: "topic.scope_program",
    Uncovered.LICENSING: "topic.scope_licensing",
}


def out_of_scope(ctx: AnswerContext) -> None:
    statement = _UNCOVERED_STATEMENTS.get(ctx.asked.uncovered)
    if statement is None:
        ctx.builder.verdict("topic.scope_other")
        ctx.builder.say("topic.scope_general")
    else:
        ctx.builder.verdict("topic.scope_verdict")
        ctx.builder.say(statement)
        if ctx.asked.uncovered == Uncovered.ECFMG:
            # What the sources do say about certification: Step 2 CS is gone, Pathways
            # replaced it (asked often, since older advice still names CS).
            ctx.builder.say("visa.j1_pathways")
        ctx.builder.say("topic.scope_general")
    ctx.builder.say("topic.scope_instead")
