"""Deterministic residency-strategy engine for non-US-citizen IMGs.

Pure Python: no Rasa, no network, no randomness. The public API::

    from img_strategy import Profile, Question, advise, missing
    advice = advise(Question.PROGRAMS, Profile(specialty="pediatrics", step2_score=232),
                    today=date(2026, 11, 23))
"""

from img_strategy.advice import Advice, ProgramRange, Reason
from img_strategy.engine import advise, assess, describe, hypothetical, missing, program_range
from img_strategy.profile import ExamStatus, Field, Profile, UsceKind, Visa
from img_strategy.questions import Question
from img_strategy.render import render, render_reasons, render_text
from img_strategy.tables import Outlook, Rules, RuleTableError, Table, default_rules, load_rules

__all__ = [
    "Advice",
    "ExamStatus",
    "Field",
    "Outlook",
    "Profile",
    "ProgramRange",
    "Question",
    "Reason",
    "RuleTableError",
    "Rules",
    "Table",
    "UsceKind",
    "Visa",
    "advise",
    "assess",
    "default_rules",
    "describe",
    "hypothetical",
    "load_rules",
    "missing",
    "program_range",
    "render",
    "render_reasons",
    "render_text",
]
