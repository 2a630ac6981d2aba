"""Turning :class:`Advice` into chat-sized text."""

from __future__ import annotations

from img_strategy.advice import Advice, AdviceBuilder
from img_strategy.parsing import Problem, Unsure
from img_strategy.questions import Question
from img_strategy.tables import Rules, Table, default_rules

# A chat bubble stays readable with a verdict plus a few short lines; more goes into the
# next message rather than one wall of text.
LINES_PER_MESSAGE = 3


def render(advice: Advice, lines_per_message: int = LINES_PER_MESSAGE) -> list[str]:
    """Messages to send, verdict first; each holds at most ``lines_per_message`` points."""
    points = [f"- {line}" for line in advice.recommendations]
    if advice.assumptions:
        points.extend(f"- Note: {a}" for a in advice.assumptions)
    first = [advice.verdict, *points[:lines_per_message]]
    messages = ["\n".join(first)]
    rest = points[lines_per_message:]
    for start in range(0, len(rest), lines_per_message):
        messages.append("\n".join(rest[start : start + lines_per_message]))
    return messages


def render_reasons(advice: Advice) -> str:
    """The "why?" answer: the rules that fired and where each comes from."""
    lines = ["Why I said that:"]
    if advice.profile_facts:
        lines.append("Your facts I used: " + "; ".join(advice.profile_facts) + ".")
    if advice.table:
        table = "pediatrics-specific" if advice.table == Table.PEDIATRICS else "general"
        lines.append(f"Score table: the {table} guidance.")
    seen: set[str] = set()
    for reason in advice.reasons:
        if reason.citation in seen:
            continue
        seen.add(reason.citation)
        lines.append(f"- {reason.citation}")
    return "\n".join(lines)


def render_text(advice: Advice) -> str:
    """Everything in one block, for the command line."""
    return "\n\n".join([*render(advice), render_reasons(advice)])


def explain_problem(problem: Problem, rules: Rules | None = None) -> str:
    """Why a value was not stored, and what is accepted instead."""
    rules = rules or default_rules()
    builder = AdviceBuilder(rules, Question.CHANCES)
    exam = problem.exam.label if problem.exam is not None else "exam"
    return builder.text(f"input.{problem.code}", value=problem.value, exam=exam)


def confirm_question(unsure: Unsure, rules: Rules | None = None) -> str:
    """The yes/no question for a reading the parser is not sure of."""
    builder = AdviceBuilder(rules or default_rules(), Question.CHANCES)
    return builder.text(f"input.confirm_{unsure.reading.value}", value=unsure.value)
