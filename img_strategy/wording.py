"""Counts with their nouns: the one place that decides "1 point" or "2 points".

Statements name the noun in the placeholder's format spec, ``{gap:point}`` or
``{years:year}``, and :class:`Filled` (the value the advice builder puts in) applies
:func:`counted`; code that writes a count itself calls :func:`counted` directly.
"""

from __future__ import annotations


def counted(n: float, noun: str) -> str:
    """``n`` and the noun, singular only for exactly one: "1 point", "0 points",
    "1.5 months". Every noun the bot counts takes a plain "s" in the plural."""
    return f"{n:g} {noun if n == 1 else noun + 's'}"


class Filled(str):
    """A placeholder's value: as itself, or with a format spec (``{gap:point}``) as a count
    of that noun."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        return counted(float(self), spec)
