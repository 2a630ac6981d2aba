"""Structured advice: a verdict, recommendations, the figures used, and why.

Handlers never write prose themselves; they pick statements from the rule tables through
:class:`AdviceBuilder`, which fills in figures, marks reported and dated facts as such, and
records each statement's source as a reason.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from img_strategy.questions import Question
from img_strategy.tables import Outlook, Rules


@dataclass(frozen=True)
class Reason:
    """One rule that fired: the table entry's id and where its content comes from."""

    rule: str
    source: str  # id in sources.yml, e.g. "PEDS.case3" or "F4"
    citation: str  # human-readable: article file and section, or facts.md id


@dataclass(frozen=True)
class UsedFigure:
    id: str
    display: str
    source: str


@dataclass(frozen=True)
class ProgramRange:
    """A recommended number of programs; ``high is None`` means "or more"."""

    low: int
    high: int | None

    @property
    def display(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"

    def at_most_as_large_as(self, other: ProgramRange) -> bool:
        """True when this recommendation is no larger than ``other``."""
        mine = self.high if self.high is not None else float("inf")
        theirs = other.high if other.high is not None else float("inf")
        return self.low <= other.low and mine <= theirs


@dataclass(frozen=True)
class Advice:
    question: Question
    verdict: str
    recommendations: tuple[str, ...]
    figures: tuple[UsedFigure, ...]
    profile_facts: tuple[str, ...]
    reasons: tuple[Reason, ...]
    outlook: Outlook | None = None
    table: str | None = None  # "pediatrics" or "general" when a score table was used
    program_count: ProgramRange | None = None
    assumptions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["question"] = self.question.value
        data["outlook"] = self.outlook.name.lower() if self.outlook is not None else None
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2)


@dataclass
class AdviceBuilder:
    """Collects statements for one answer; see :meth:`text`."""

    rules: Rules
    question: Question
    context: dict[str, Any] = field(default_factory=dict)
    _verdict: str | None = None
    _recommendations: list[str] = field(default_factory=list)
    _figures: dict[str, UsedFigure] = field(default_factory=dict)
    _facts: list[str] = field(default_factory=list)
    _reasons: dict[str, Reason] = field(default_factory=dict)
    _assumptions: list[str] = field(default_factory=list)
    outlook: Outlook | None = None
    table: str | None = None
    program_count: ProgramRange | None = None

    def text(self, statement_id: str, **context: Any) -> str:
        """Render a statement, recording its figures and source as reasons."""
        statement = self.rules.statement(statement_id)
        figure_ids, context_names = self.rules.statement_parts(statement)
        values: dict[str, str] = {}
        for name in figure_ids:
            values[name] = self.rules.figure_text(name, statement)
            self.use_figure(name)
        self.cite(statement_id, statement.source)  # after its figures, as "why?" lists them
        for name in context_names:
            value = context.get(name, self.context.get(name))
            if value is None:
                raise KeyError(f"statement {statement_id} needs {name!r}")
            values[name] = str(value)
        return statement.text.format_map(values)

    def use_figure(self, figure_id: str) -> None:
        """Record a figure whose value the handler used directly (e.g. a CK target)."""
        if figure_id in self._figures:
            return  # recorded, and cited, already
        figure = self.rules.figure(figure_id)
        self._figures[figure_id] = UsedFigure(figure_id, figure.display, figure.source)
        self.cite(f"figure.{figure_id}", figure.source)

    def cite(self, rule: str, source_id: str) -> None:
        if rule not in self._reasons:
            self._reasons[rule] = Reason(rule, source_id, self.rules.sources[source_id].cite())

    def verdict(self, statement_id: str, **context: Any) -> None:
        self._verdict = self.text(statement_id, **context)

    def say(self, statement_id: str, **context: Any) -> None:
        line = self.text(statement_id, **context)
        if line not in self._recommendations:
            self._recommendations.append(line)

    def line(self, text: str) -> None:
        """A line already rendered with :meth:`text` (the dated plan composes its own)."""
        if text not in self._recommendations:
            self._recommendations.append(text)

    def say_list(self, intro_id: str, item_ids: list[str]) -> None:
        """One line: an intro statement followed by several short statements."""
        items = "; ".join(self.text(item_id) for item_id in item_ids)
        self._recommendations.append(f"{self.text(intro_id)} {items}.")

    def fact(self, description: str) -> None:
        if description not in self._facts:
            self._facts.append(description)

    def assume(self, description: str) -> None:
        if description not in self._assumptions:
            self._assumptions.append(description)

    def build(self) -> Advice:
        if self._verdict is None:
            raise AssertionError(f"handler for {self.question.value} set no verdict")
        if self.table is not None:
            self.say(f"table.{self.table}")  # every score-based answer says whose figures
        return Advice(
            question=self.question,
            verdict=self._verdict,
            recommendations=tuple(self._recommendations),
            figures=tuple(self._figures.values()),
            profile_facts=tuple(self._facts),
            reasons=tuple(self._reasons.values()),
            outlook=self.outlook,
            table=self.table,
            program_count=self.program_count,
            assumptions=tuple(self._assumptions),
        )
