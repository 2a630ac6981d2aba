"""Handlers for the questions IMGs ask beyond scores and program counts (issue #14):
filters, explaining a fail, observerships, age, reapplying, prelim years, comparing two
specialties, and an honest answer for what the guidance does not cover.

Each is named by its entry in the question registry (``img_strategy.questions``); explaining
a fail only recites statements, so its entry declares them. Wording and figures come from
``rules/statements.yml`` (``topic.*``) and ``rules/figures.yml``.
"""

from __future__ import annotations

from img_strategy.asked import Uncovered
from img_strategy.engine import _Ctx, _join, _months, assess, yog_lines
from img_strategy.profile import UsceKind
from img_strategy.tables import Outlook, Table

# ---------------------------------------------------------------------------------------------
# Will X filter me out?


def filter_out(c: _Ctx) -> None:
    p = c.profile
    a = assess(c.rules, p, p.specialty, c.today)
    filters = c.rules.figure("ck_filter_community")
    concern = c.rules.figure("yog_concern_years")
    years = c.years
    said = False
    if p.step1_failures:
        c.b.verdict("topic.filter_step1_fail")
        said = True
    if a.ck is not None and not a.ck_is_estimate:
        low = a.ck < (filters.low or 0)
        key = "topic.filter_ck_low" if low else "topic.filter_ck_ok"
        (c.b.say if said else c.b.verdict)(key, ck=a.ck)
        said = True
    if years is not None and years > (concern.high or 0):
        (c.b.say if said else c.b.verdict)("topic.filter_yog", years=years)
        said = True
    if not said:
        c.b.verdict("topic.filter_unknown")
    c.b.say("target.peds_filters" if c.is_peds else "target.gen_filters")
    c.b.say("target.not_a_cutoff")
    c.b.say("topic.filter_offset")
    c.b.say("topic.filter_gap")
    if p.visa is not None:
        c.b.say("visa.filter")
    if p.step1_failures or (a.outlook is not None and a.outlook <= Outlook.CHALLENGING):
        c.b.say("recovery.targets")


# ---------------------------------------------------------------------------------------------
# Is an observership USCE?


def observership(c: _Ctx) -> None:
    p = c.profile
    c.b.verdict("topic.observer_verdict")
    if p.usce_kind == UsceKind.OBSERVERSHIP and p.usce_months:
        c.b.say("topic.observer_yours", usce_months_text=_months(p.usce_months))
    if c.is_peds:
        c.b.say("topic.observer_peds")
    c.b.say("topic.observer_network")
    c.b.say("usce.role")
    c.b.say("usce.hands_on")


# ---------------------------------------------------------------------------------------------
# Is my age a problem?


def age(c: _Ctx) -> None:
    c.b.verdict("topic.age_verdict")
    yog_lines(c, c.b.say)
    c.b.say("topic.age_program")


# ---------------------------------------------------------------------------------------------
# Reapplying after not matching


def reapply(c: _Ctx) -> None:
    c.b.verdict("topic.reapply_verdict")
    c.b.say("count.interviews")
    c.b.say("recovery.usce")
    c.b.say("recovery.letters")
    c.b.say("recovery.research")
    c.b.say("topic.reapply_step3")
    c.b.say("recovery.two_cycle")
    c.b.say("recovery.targets")
    c.b.say("recovery.apply_broadly")
    if c.years is not None:
        c.b.say("postpone.yog_cost", years=c.years)


# ---------------------------------------------------------------------------------------------
# Prelim or transitional year


def prelim(c: _Ctx) -> None:
    c.b.verdict("topic.prelim_verdict")
    c.b.say("topic.prelim_not_covered")
    c.b.say("topic.prelim_categorical")
    spec = c.specialty
    if spec is not None and not c.is_peds:
        c.b.say(c.rules.groups[spec.group].statement, specialty=spec.name)
    c.b.say("usce.hands_on")


# ---------------------------------------------------------------------------------------------
# "IM or FM?"


def compare(c: _Ctx) -> None:
    names = [s for s in c.asked.specialties if s in c.rules.specialties]
    two_named = len(names) >= 2
    if not two_named:
        names = list(c.rules.realism_candidates)
    known = [(sid, a) for sid in names if (a := assess(c.rules, c.profile, sid, c.today)).outlook]
    c.b.table = Table.GENERAL
    label = _join([c.rules.specialties[sid].name for sid in names])
    if not known:
        c.b.verdict("verdict.chances_no_ck", specialty=label)
        c.b.say("fact.ck_primary")
        c.b.say("target.gen_filters")
        return
    best = max(a.outlook for _, a in known)  # type: ignore[type-var]
    c.b.outlook = best
    lines = [(c.rules.specialties[sid].name, c.outlook_word(a.outlook)) for sid, a in known]  # type: ignore[arg-type]
    if two_named:
        comparison = "; ".join(f"{name}: {word}" for name, word in lines)
        c.b.verdict("topic.compare_verdict", specialty=label, comparison=comparison)
    else:
        c.b.verdict("topic.compare_need_two")
        for name, word in lines:
            c.b.say("realism.line", specialty=name, outlook=word)
    leaders = [c.rules.specialties[sid].name for sid, a in known if a.outlook == best]
    if len(leaders) == len(known):
        c.b.say("topic.compare_same")
    else:
        c.b.say("topic.compare_better", specialty=_join(leaders))
    for sid, a in known:
        spec = c.rules.specialties[sid]
        if a.band is not None:
            c.b.cite(a.band.id, a.band.source)
        if not two_named:
            continue
        if spec.table == Table.PEDIATRICS:
            c.b.say("fact.peds_img_friendly")
        else:
            c.b.say(c.rules.groups[spec.group].statement, specialty=spec.name)


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


def out_of_scope(c: _Ctx) -> None:
    statement = _UNCOVERED_STATEMENTS.get(c.asked.uncovered)
    if statement is None:
        c.b.verdict("topic.scope_other")
        c.b.say("topic.scope_general")
    else:
        c.b.verdict("topic.scope_verdict")
        c.b.say(statement)
        c.b.say("topic.scope_general")
    c.b.say("topic.scope_instead")
