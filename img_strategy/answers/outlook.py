"""How realistic a goal is: chances, the CK to aim for, realistic specialties, and how many
programs of which kinds."""

from __future__ import annotations

from img_strategy.answers import shared
from img_strategy.answers.shared import AnswerContext
from img_strategy.assessment import assess, ck_target, effective_ck, program_range
from img_strategy.profile import Visa
from img_strategy.tables import Group, Outlook, Specialty, Table


def chances(ctx: AnswerContext) -> None:
    spec, profile = ctx.specialty, ctx.profile
    assessment = assess(ctx.rules, profile, profile.specialty, ctx.today)
    ctx.builder.table, ctx.builder.outlook = assessment.table, assessment.outlook
    name = spec.name if spec else None
    if assessment.band is not None:
        ctx.builder.cite(assessment.band.id, assessment.band.source)
    if spec is None:
        ctx.builder.verdict("verdict.no_specialty")
        if assessment.band is not None:
            ctx.builder.say(assessment.band.statement)
        ctx.builder.say("target.gen_filters")
        return
    if assessment.blocked_by:
        ctx.builder.verdict(
            "verdict.chances_blocked", specialty=name, exam=ctx.exam_name(assessment.blocked_by)
        )
        shared.blocked_lines(ctx, assessment.blocked_by)
        return
    if assessment.outlook is None:
        ctx.builder.verdict("verdict.chances_no_ck", specialty=name)
        ctx.builder.say("fact.ck_primary")
        ctx.builder.say("target.peds_filters" if ctx.is_peds else "target.gen_filters")
        shared.penalty_lines(ctx, assessment)
        return
    if assessment.ck_depends_on_date:
        ctx.builder.verdict(
            "ck.both_readings",
            specialty=name,
            outlook=ctx.outlook_word(assessment.outlook),
            **ctx.date_readings(assessment),
        )
        ctx.builder.say("ck.ask_date")
    elif assessment.ck_is_estimate:
        ctx.builder.verdict(
            "verdict.chances_estimate",
            specialty=name,
            practice=assessment.ck,
            outlook=ctx.outlook_word(assessment.outlook),
        )
        ctx.builder.assume("The outlook uses your practice-exam estimate, not a real CK score.")
    else:
        ctx.builder.verdict(
            "verdict.chances", specialty=name, outlook=ctx.outlook_word(assessment.outlook)
        )
    shared.passed_on_date_line(ctx, assessment)
    band = assessment.table_band if ctx.is_peds else assessment.band
    ctx.builder.say(band.statement)  # type: ignore[union-attr]
    if ctx.is_peds:
        ctx.builder.say("fact.peds_img_friendly")
    else:
        ctx.builder.say(ctx.rules.groups[spec.group].statement, specialty=name)
    shared.dated_specialty_lines(ctx, spec)
    shared.penalty_lines(ctx, assessment)
    shared.legacy_step1_lines(ctx, assessment)
    if profile.visa in (Visa.J1, Visa.EITHER, Visa.H1B):
        ctx.builder.say("flag.visa_limits")
    low = assessment.outlook <= Outlook.SIGNIFICANT_CHALLENGE
    if ctx.is_peds and low:
        # Pediatrics Case 3 and FAQ 2-3: a very broad list.
        count, fired = program_range(ctx.rules, profile, assessment)
        ctx.builder.program_count = count
        for rule_id, source in fired:
            ctx.builder.cite(rule_id, source)
        ctx.builder.say("count.verdict", count=count.display, specialty=name)
    if ctx.is_peds and (low or profile.step1_failures):
        # Where to apply: community, smaller and newer programs for a low CK (Case 3), and
        # programs with a history of non-US IMGs after a Step 1 fail (Step 1 scenario 3).
        kinds_band = ctx.rules.program_kinds[Table.PEDIATRICS].lookup(assessment.ck or 1)
        kinds = list(kinds_band.kinds) if low else ["peds_community", "peds_affiliated"]
        if profile.step1_failures:
            kinds.append("peds_fail_focus")
        ctx.kinds(kinds)
    if assessment.outlook <= Outlook.CHALLENGING:
        ctx.builder.say("recovery.usce")
        if not profile.step1_failures:  # the fail branch already listed where to apply
            ctx.builder.say("recovery.targets")
    elif profile.usce_months in (None, 0):
        ctx.builder.say("usce.role")


def target_score(ctx: AnswerContext) -> None:
    spec, profile = ctx.specialty, ctx.profile
    if spec is None:
        ctx.builder.verdict("verdict.no_specialty")
        ctx.builder.say_each("target.gen_filters", "target.peds_filters", "target.not_a_cutoff")
        return
    ctx.builder.table = spec.table
    if spec.group == Group.HIGHLY_COMPETITIVE:
        ctx.builder.verdict("target.competitive_field", specialty=spec.name)
        ctx.builder.say("realism.competitive_note")
        return
    if ctx.is_peds:
        ctx.builder.verdict("target.verdict_peds")
        ctx.builder.say_each("target.peds_filters", "fact.peds_ck_weight")
        if profile.step1_failures:
            ctx.builder.say("target.peds_fail")
    else:
        target, target_figure = ck_target(ctx.rules, profile, spec)
        ctx.builder.use_figure(target_figure)
        ctx.builder.verdict("target.verdict_general", specialty=spec.name, target=target)
        ctx.builder.say("target.gen_filters")
        if spec.group != Group.CORE:
            ctx.builder.say(ctx.rules.groups[spec.group].statement, specialty=spec.name)
        if profile.step1_failures:
            ctx.builder.say("target.counterbalance")
        if spec.id == "family_medicine":
            ctx.builder.say("fact.fm_charting")
    if profile.step1_score is not None:
        ctx.builder.say("fact.step1_pf")
        if ctx.is_peds:
            shared.legacy_step1_lines(ctx, assess(ctx.rules, profile, spec.id, ctx.today))
        ctx.builder.say("target.upward_trend")
    ck, _ = effective_ck(profile)
    if ck is not None:
        band = ctx.rules.step2_outlook[spec.table].lookup(ck)
        ctx.builder.cite(band.id, band.source)
        ctx.builder.say(band.statement)
    ctx.builder.say_each("target.not_a_cutoff", "target.us_average", "target.passing")


def realistic_specialties(ctx: AnswerContext) -> None:
    """Fields in the general article's order of attainability: a better outlook first, and
    between equal outlooks the article's order (FM, IM, Peds, then Psych and Neuro)."""
    profile = ctx.profile
    ranked: list[tuple[Outlook, int, Specialty]] = []
    for order, sid in enumerate(ctx.rules.realism_candidates):
        assessment = assess(ctx.rules, profile, sid, ctx.today)
        if assessment.outlook is not None:
            ranked.append((assessment.outlook, order, ctx.rules.specialties[sid]))
    general = assess(ctx.rules, profile, None, ctx.today)
    ctx.builder.table = Table.GENERAL
    if not ranked:
        ctx.builder.verdict("verdict.chances_no_ck", specialty="every specialty")
        ctx.builder.say_each("fact.ck_primary", "target.gen_filters", "realism.competitive_note")
        return
    ranked.sort(key=lambda item: (-item[0], item[1]))
    best = ranked[0][0]
    ctx.builder.outlook = best
    if best <= ctx.rules.outlook_floor:
        ctx.builder.verdict("realism.verdict_none")
    else:
        # The top group: the best outlook within the article's first group that reaches it.
        best_group = ranked[0][2].group
        top = [s.name for o, _, s in ranked if o == best and s.group == best_group]
        ctx.builder.verdict("realism.verdict", specialty=shared.join(top))
    if general.ck_depends_on_date:
        ctx.builder.say("ck.both_readings_general", **ctx.date_readings(general))
        ctx.builder.say("ck.ask_date")
    for outlook, _, spec in ranked:
        ctx.builder.say("realism.line", specialty=spec.name, outlook=ctx.outlook_word(outlook))
    if general.band is not None:
        ctx.builder.cite(general.band.id, general.band.source)
        band_id = general.band.id
        if general.blocked_by:
            shared.blocked_lines(ctx, general.blocked_by)
        elif band_id == "gen_below_220" or best <= ctx.rules.outlook_floor:
            ctx.builder.say("realism.prelim")
        elif band_id == "gen_220s":
            ctx.builder.say("realism.community_heavy")
        elif not general.penalties and band_id in ("gen_240s", "gen_250_plus"):
            ctx.builder.say("realism.academic_ok")
    for sid in ctx.rules.realism_candidates[:2]:  # FM and IM: the IMG share of positions
        shared.dated_specialty_lines(ctx, ctx.rules.specialties[sid])
    shared.penalty_lines(ctx, general)
    ctx.builder.say("realism.competitive_note")


def programs(ctx: AnswerContext) -> None:
    spec, profile = ctx.specialty, ctx.profile
    assessment = assess(ctx.rules, profile, profile.specialty, ctx.today)
    ctx.builder.table, ctx.builder.outlook = assessment.table, assessment.outlook
    count, fired = program_range(ctx.rules, profile, assessment)
    ctx.builder.program_count = count
    for rule_id, source in fired:
        ctx.builder.cite(rule_id, source)
    name = spec.name if spec else "residency"
    if assessment.table == Table.PEDIATRICS:
        ctx.builder.verdict("count.verdict", count=count.display, specialty=name)
        if assessment.ck is not None:
            ctx.builder.say(
                ctx.rules.program_count[Table.PEDIATRICS].lookup(assessment.ck).statement
            )
        if profile.step1_failures or profile.step2_failures:
            ctx.builder.say("count.peds_red_flag")
        ctx.builder.say("count.peds_common")
    else:
        ctx.builder.verdict("count.verdict_general")
    if assessment.ck is not None:  # the kinds of program come first: they matter most for a low CK
        kinds_band = ctx.rules.program_kinds[assessment.table].lookup(assessment.ck)
        ctx.builder.cite(kinds_band.id, kinds_band.source)
        kinds = list(kinds_band.kinds)
        if profile.step1_failures and ctx.is_peds:
            kinds.append("peds_fail_focus")
        if profile.visa in (Visa.J1, Visa.EITHER) and "j1_sponsoring" not in kinds:
            kinds.append("j1_sponsoring")
        ctx.kinds(kinds)
    if assessment.table == Table.GENERAL:
        ctx.builder.say("count.general")
    if assessment.blocked_by:
        shared.blocked_lines(ctx, assessment.blocked_by)
    if profile.visa == Visa.H1B:
        ctx.builder.say_each("flag.h1b_only", "visa.verdict_h1b")
    if assessment.outlook is not None and assessment.outlook < Outlook.STRONG:
        ctx.builder.say("count.deemphasise")
    ctx.builder.say_each("count.interviews", "count.public_data")
