"""Every renderable statement and citation reads like a person wrote it: no file names,
source ids or table keys reach a user (#19 item 8)."""

from __future__ import annotations

import re
import string

from img_strategy import Question, advise, render_reasons
from img_strategy.tables import default_rules
from img_strategy.wording import Filled, counted
from tests.img_strategy.support import TODAY
from tests.img_strategy.test_engine import VARIED_PROFILES

RULES = default_rules()
# What must never show: guidance file names, source ids (GEN.x, PEDS.x, F12), facts.md,
# and snake_case keys such as rule or figure ids.
FORBIDDEN = re.compile(
    r"\.txt|facts\.md|\b(?:GEN|PEDS|FACTS)\.\w+|\bF\d{1,2}\b|\b[a-z]+_[a-z0-9_]+\b"
)


def _filled(text: str) -> str:
    """A statement with every placeholder filled as the builder would (figures by their
    display, profile values by a plain word)."""
    values = {}
    for _, name, spec, _ in string.Formatter().parse(text):
        if name is None:
            continue
        plain = "2" if spec else "value"  # a count ({gap:point}) is a number
        values[name] = Filled(RULES.figures[name].display if name in RULES.figures else plain)
    return text.format_map(values)


def test_no_statement_or_figure_shows_a_file_name_id_or_key():
    for statement in RULES.statements.values():
        assert not FORBIDDEN.search(_filled(statement.text)), statement.id
    for source in RULES.sources.values():
        assert not FORBIDDEN.search(source.citation), source.id
        assert source.citation.strip(", "), source.id


def test_why_cites_article_sections_and_publishers():
    for profile in VARIED_PROFILES:
        for question in Question:
            why = render_reasons(advise(question, profile, today=TODAY))
            assert not FORBIDDEN.search(why.replace("Why I said that:", "")), why
    case3 = advise(
        Question.PROGRAMS,
        VARIED_PROFILES[0].with_changes(specialty="pediatrics", step2_score=220),
        today=TODAY,
    )
    assert "Pediatrics article, Case 3" in render_reasons(case3)


def test_a_count_of_one_takes_the_singular_everywhere():
    assert counted(1, "point") == "1 point" and counted(2, "point") == "2 points"
    assert counted(0, "year") == "0 years" and counted(1.5, "month") == "1.5 months"
    # Every statement that counts something names the noun, so one reads "1 point".
    counts = [
        statement.id
        for statement in RULES.statements.values()
        for _, name, spec, _ in string.Formatter().parse(statement.text)
        if name and spec
    ]
    assert "postpone.verdict_consider" in counts and "plan.foundation" in counts
    # A profile value followed by a plural noun would read "1 points" (figures are fixed).
    plural = re.compile(r"\{(\w+)\} (?:points|years|weeks|months|attempts)\b")
    for statement in RULES.statements.values():
        for name in plural.findall(statement.text):
            assert name in RULES.figures, (statement.id, name)
