"""Helpers shared by the strategy tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from img_strategy import Advice, Profile, Question, advise

TODAY = date(2026, 11, 23)


def ask(question: Question, **profile: Any) -> Advice:
    return advise(question, Profile(**profile), today=TODAY)


def full_text(advice: Advice) -> str:
    return "\n".join([advice.verdict, *advice.recommendations])


def covers(*sections: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Tags a test with the article sections / facts it checks (read by img_strategy.coverage)."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.covers = sections  # type: ignore[attr-defined]
        return fn

    return mark
