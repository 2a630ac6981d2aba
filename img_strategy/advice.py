"""Structured advice: a verdict, recommendations, the figures used, and why.

Handlers never write prose themselves; they pick statements from the rule tables through
:class:`AdviceBuilder`, which fills in figures, marks reported and dated facts as such, and
records each statement's source as a reason.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from img_strategy.tables import Figure, Outlook, Rules, Table
from img_strategy.wording import Filled

if TYPE_CHECKING:  # the question registry imports the engine, which imports this module
    from img_strategy.questions import Question


@dataclass(frozen=True)
class Reason:
    """One rule that fired: the table entry's id and where its content comes from."""

    rule: str
    source: str  # id in sources.yml, e.g. "PEDS.case3" or "F4" (never shown to users)
    citation: str  # what a person reads: "Pediatrics article, Case 3", or publisher and date


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
    figures: tuple[Figure, ...]
    profile_facts: tuple[str, ...]
    reasons: tuple[Reason, ...]
    outlook: Outlook | None = None
    table: Table | None = None  # whose score tables the answer used
    program_count: ProgramRange | None = None
    assumptions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["question"] = self.question.value
        data["outlook"] = self.outlook.name.lower() if self.outlook is not None else None
        for figure in data["figures"]:  # plain JSON: a dated figure's day as ISO text
            if figure["since"] is not None:
                figure["since"] = figure["since"].isoformat()
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2)


@dataclass
class AdviceBuilder:
    """Collects statements for one answer; see :meth:`text`."""

    rules: Rules
    question: Question
    today: date | None = None  # decides whether a cycle's figures are past their Match
    context: dict[str, Any] = field(default_factory=dict)
    _verdict: str | None = None
    _recommendations: list[str] = field(default_factory=list)
    _figures: dict[str, Figure] = field(default_factory=dict)
    _facts: list[str] = field(default_factory=list)
    _reasons: dict[str, Reason] = field(default_factory=dict)
    _assumptions: list[str] = field(default_factory=list)
    outlook: Outlook | None = None
    table: Table | None = None
    program_count: ProgramRange | None = None

    def text(self, statement_id: str, **context: Any) -> str:
        """Render a statement, recording its figures and source as reasons."""
        statement = self.rules.statement(statement_id)
        figure_ids, context_names = self.rules.statement_parts(statement)
        values: dict[str, Filled] = {}
        for name in figure_ids:
            values[name] = Filled(self.rules.figure_text(name, statement))
            self.use_figure(name)
        self.cite(statement_id, statement.source)  # after its figures, as "why?" lists them
        for name in context_names:
            value = context.get(name, self.context.get(name))
            if value is None:
                raise KeyError(f"statement {statement_id} needs {name!r}")
            values[name] = Filled(value)
        return statement.text.format_map(values)

    def use_figure(self, figure_id: str) -> None:
        """Record a figure whose value the handler used directly (e.g. a CK target)."""
        if figure_id in self._figures:
            return  # recorded, and cited, already
        figure = self.rules.figure(figure_id)
        self._figures[figure_id] = figure
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

    def say_each(self, *statement_ids: str) -> None:
        """Several statements in order, each a line of its own."""
        for statement_id in statement_ids:
            self.say(statement_id)

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

    def _say_past_cycles(self) -> None:
        """A figure that belongs to a Match that is over says it may have changed."""
        if self.today is None:
            return
        sources = {self.rules.sources[f.source] for f in self._figures.values()}
        for source in sorted(sources, key=lambda s: s.id):
            if source.match_year is None or source.check_at is None:
                continue
            # Match Day's month (F16) ends the cycle.
            match_month = int(self.rules.figure("match_day_month").value or 0)
            if (self.today.year, self.today.month) > (source.match_year, match_month):
                self.say("cycle.past", match_year=source.match_year, check_at=source.check_at)

    def build(self) -> Advice:
        if self._verdict is None:
            raise AssertionError(f"handler for {self.question.value} set no verdict")
        self._say_past_cycles()
        if self.table is not None:
            self.say(f"table.{self.table.value}")  # every score-based answer says whose figures
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
