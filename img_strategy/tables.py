"""Loading and checking the YAML rule tables.

Every figure, statement, band and specialty carries a ``source`` that must name an article
section or a facts.md id from ``sources.yml``. Any defect fails loudly at load time with
the file and entry named, so a malformed table never reaches a user.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).parent / "rules"
SCORE_MIN, SCORE_MAX = 1, 300

# Profile-derived values a statement may interpolate besides figure ids.
CONTEXT_KEYS = frozenset(
    {
        "specialty",
        "ck",
        "practice",
        "target",
        "gap",
        "years",
        "attempts",
        "attempts_left",
        "step1_score",
        "exam",
        "outlook",
        "count",
        "usce_months_text",
        "value",
        # the dated plan (img_strategy/plan.py)
        "month",
        "months",
        "match_year",
        "missed_year",
        "weeks",
        "signals",
    }
)
# Names that legitimately contain digits; any other digit in a statement is refused.
_NAMES_WITH_DIGITS = re.compile(r"Step [123]|J-1|H-1B|Conrad 30")


class RuleTableError(ValueError):
    """A rule table is malformed; the message names the file and the entry."""


class Outlook(IntEnum):
    """How realistic a goal is, worst to best. Ordered so it can be compared and capped."""

    LONG_SHOT = 1
    CHALLENGING = 2
    REALISTIC = 3
    STRONG = 4
    VERY_STRONG = 5

    @classmethod
    def parse(cls, name: str) -> Outlook:
        return cls[name.upper()]


@dataclass(frozen=True)
class Source:
    id: str
    doc_file: str
    section: str
    status: str = "verified"  # facts.md: verified | reported
    as_of: str | None = None

    @property
    def reported(self) -> bool:
        return self.status == "reported"

    def cite(self) -> str:
        """Short human-readable citation, e.g. ``facts.md F4 (reported, as of 1 July 2025)``."""
        return self.citation

    @cached_property
    def citation(self) -> str:
        # Computed once per source: every advice call cites several.
        if self.doc_file == "facts.md":
            notes = [n for n in ("reported" if self.reported else None, self.as_of) if n]
            if self.as_of:
                notes[-1] = f"as of {self.as_of}"
            return f"facts.md {self.id}" + (f" ({', '.join(notes)})" if notes else "")
        return f"{Path(self.doc_file).name}, {self.section}"


@dataclass(frozen=True)
class Figure:
    id: str
    display: str
    source: str
    low: float | None = None
    high: float | None = None
    value: float | None = None


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    source: str
    placeholders: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Band:
    """One row of a score-banded table: scores ``low..high`` inclusive map to ``data``."""

    id: str
    low: int
    high: int
    source: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def contains(self, score: int) -> bool:
        return self.low <= score <= self.high


@dataclass(frozen=True)
class BandTable:
    name: str
    bands: tuple[Band, ...]

    def lookup(self, score: int) -> Band:
        clamped = min(max(score, SCORE_MIN), SCORE_MAX)
        for band in self.bands:
            if band.contains(clamped):
                return band
        raise AssertionError(f"{self.name}: checked at load to cover every score")


@dataclass(frozen=True)
class Specialty:
    id: str
    name: str
    group: str
    table: str  # "general" | "pediatrics"
    source: str
    target_figure: str | None = None  # overrides the group's CK target


@dataclass(frozen=True)
class Group:
    id: str
    cap: Outlook
    statement: str
    source: str
    target_figure: str


@dataclass(frozen=True)
class ScoreTable:
    """Per-table settings: the CK target that offsets earlier failed attempts."""

    id: str
    fail_target_figure: str
    source: str


@dataclass(frozen=True)
class Penalty:
    id: str
    steps: int
    statement: str
    source: str


@dataclass(frozen=True)
class CountFloor:
    id: str
    table: str
    low: int
    high: int | None
    statement: str
    source: str


@dataclass(frozen=True)
class Rules:
    """All rule tables, checked. Obtain with :func:`load_rules`."""

    sources: Mapping[str, Source]
    figures: Mapping[str, Figure]
    statements: Mapping[str, Statement]
    step2_outlook: Mapping[str, BandTable]
    program_count: Mapping[str, BandTable]
    program_kinds: Mapping[str, BandTable]
    legacy_step1: Mapping[str, BandTable]
    specialties: Mapping[str, Specialty]
    groups: Mapping[str, Group]
    score_tables: Mapping[str, ScoreTable]
    realism_candidates: tuple[str, ...]
    penalties: Mapping[str, Penalty]
    count_floors: tuple[CountFloor, ...]

    def figure(self, figure_id: str) -> Figure:
        return self.figures[figure_id]

    def statement(self, statement_id: str) -> Statement:
        return self.statements[statement_id]

    def statement_parts(self, statement: Statement) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The statement's (figure placeholders, context placeholders), worked out once."""
        parts = self._statement_parts.get(statement.id)
        if parts is None:
            figures = tuple(sorted(n for n in statement.placeholders if n in self.figures))
            context = tuple(sorted(statement.placeholders - set(figures)))
            parts = self._statement_parts[statement.id] = (figures, context)
        return parts

    def figure_text(self, figure_id: str, statement: Statement) -> str:
        """A figure as ``statement`` shows it: a reported fact says so, and a dated one
        gives its date unless the sentence already does."""
        key = (figure_id, statement.id)
        text = self._figure_texts.get(key)
        if text is None:  # rendered once per pair; advice calls ask for it many times
            text = self._figure_texts[key] = self._render_figure(figure_id, statement.text)
        return text

    def _render_figure(self, figure_id: str, statement_text: str) -> str:
        figure = self.figures[figure_id]
        source = self.sources[figure.source]
        notes = []
        if source.reported and "reported" not in statement_text:
            notes.append("reported")
        dated_elsewhere = "as of" in statement_text or f"{{{figure_id}_date}}" in statement_text
        if source.as_of and source.as_of not in figure.display and not dated_elsewhere:
            notes.append(f"as of {source.as_of}")
        return figure.display + (f" ({', '.join(notes)})" if notes else "")

    @cached_property
    def _figure_texts(self) -> dict[tuple[str, str], str]:
        return {}

    @cached_property
    def _statement_parts(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        return {}


# --------------------------------------------------------------------------------------------
# Loading


def _read(directory: Path, name: str) -> Any:
    path = directory / name
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleTableError(f"{name}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleTableError(f"{name}: top level must be a mapping")
    return data


def _require(where: str, entry: Any, *keys: str) -> None:
    if not isinstance(entry, dict):
        raise RuleTableError(f"{where}: entry must be a mapping")
    missing = [k for k in keys if k not in entry]
    if missing:
        raise RuleTableError(f"{where}: missing {', '.join(missing)}")


def _check_source(where: str, source: Any, sources: Mapping[str, Source]) -> str:
    if source not in sources:
        raise RuleTableError(f"{where}: unknown source {source!r}")
    return str(source)


def _load_sources(data: dict[str, Any]) -> dict[str, Source]:
    docs = data.get("documents") or {}
    out: dict[str, Source] = {}
    for sid, entry in (data.get("sections") or {}).items():
        where = f"sources.yml: {sid}"
        _require(where, entry, "doc", "section")
        if entry["doc"] not in docs:
            raise RuleTableError(f"{where}: unknown document {entry['doc']!r}")
        status = entry.get("status", "verified")
        if status not in ("verified", "reported"):
            raise RuleTableError(f"{where}: status must be verified or reported")
        out[sid] = Source(
            id=sid,
            doc_file=docs[entry["doc"]]["file"],
            section=str(entry["section"]),
            status=status,
            as_of=entry.get("as_of"),
        )
    return out


def _load_figures(data: dict[str, Any], sources: Mapping[str, Source]) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    for fid, entry in data.items():
        where = f"figures.yml: {fid}"
        _require(where, entry, "display", "source")
        low, high = entry.get("low"), entry.get("high")
        if low is not None and high is not None and low > high:
            raise RuleTableError(f"{where}: low {low} is above high {high}")
        out[fid] = Figure(
            id=fid,
            display=str(entry["display"]),
            source=_check_source(where, entry["source"], sources),
            low=low,
            high=high,
            value=entry.get("value"),
        )
    return out


def _load_statements(
    data: dict[str, Any], sources: Mapping[str, Source], figures: Mapping[str, Figure]
) -> dict[str, Statement]:
    out: dict[str, Statement] = {}
    for sid, entry in data.items():
        where = f"statements.yml: {sid}"
        _require(where, entry, "text", "source")
        text = str(entry["text"])
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        unknown = names - set(figures) - CONTEXT_KEYS
        if unknown:
            raise RuleTableError(f"{where}: unknown placeholder(s) {sorted(unknown)}")
        literal = _NAMES_WITH_DIGITS.sub("", re.sub(r"\{[^}]*\}", "", text))
        if re.search(r"\d", literal):
            raise RuleTableError(
                f"{where}: literal number in text; put it in figures.yml with a source"
            )
        out[sid] = Statement(
            id=sid,
            text=text,
            source=_check_source(where, entry["source"], sources),
            placeholders=frozenset(names),
        )
    return out


def _load_band_tables(
    file: str,
    name: str,
    data: dict[str, Any],
    sources: Mapping[str, Source],
    figures: Mapping[str, Figure],
    statements: Mapping[str, Statement],
) -> dict[str, BandTable]:
    tables: dict[str, BandTable] = {}
    for table_name, rows in data.items():
        prefix = f"{file}: {name}.{table_name}"
        if not isinstance(rows, list) or not rows:
            raise RuleTableError(f"{prefix}: must be a non-empty list of bands")
        bands: list[Band] = []
        for row in rows:
            _require(prefix, row, "id", "min", "max", "source")
            where = f"{prefix}: {row['id']}"
            if not (isinstance(row["min"], int) and isinstance(row["max"], int)):
                raise RuleTableError(f"{where}: min and max must be whole scores")
            if row["min"] > row["max"]:
                raise RuleTableError(f"{where}: min {row['min']} is above max {row['max']}")
            for key in ("figure", "low_figure", "target_figure"):
                if row.get(key) is not None and row[key] not in figures:
                    raise RuleTableError(f"{where}: unknown figure {row[key]!r}")
            if row.get("statement") is not None and row["statement"] not in statements:
                raise RuleTableError(f"{where}: unknown statement {row['statement']!r}")
            if "outlook" in row and row["outlook"].upper() not in Outlook.__members__:
                raise RuleTableError(f"{where}: unknown outlook {row['outlook']!r}")
            for kind in row.get("kinds", []):
                if f"kind.{kind}" not in statements:
                    raise RuleTableError(f"{where}: kind {kind!r} has no statement kind.{kind}")
            payload = {k: v for k, v in row.items() if k not in ("id", "min", "max", "source")}
            bands.append(
                Band(
                    id=row["id"],
                    low=row["min"],
                    high=row["max"],
                    source=_check_source(where, row["source"], sources),
                    data=payload,
                )
            )
        bands.sort(key=lambda b: b.low)
        expected = SCORE_MIN
        for band in bands:
            if band.low > expected:
                raise RuleTableError(
                    f"{prefix}: gap before {band.id}: scores {expected}-{band.low - 1} uncovered"
                )
            if band.low < expected:
                raise RuleTableError(f"{prefix}: {band.id} overlaps the band before it")
            expected = band.high + 1
        if expected != SCORE_MAX + 1:
            raise RuleTableError(f"{prefix}: scores {expected}-{SCORE_MAX} uncovered")
        tables[table_name] = BandTable(name=f"{name}.{table_name}", bands=tuple(bands))
    return tables


def load_rules(directory: Path | str = RULES_DIR) -> Rules:
    """Load and check every rule table in ``directory``; raise :class:`RuleTableError`."""
    directory = Path(directory)
    sources = _load_sources(_read(directory, "sources.yml"))
    figures = _load_figures(_read(directory, "figures.yml"), sources)
    statements = _load_statements(_read(directory, "statements.yml"), sources, figures)

    bands = _read(directory, "bands.yml")
    band_tables: dict[str, dict[str, BandTable]] = {}
    for name in ("step2_outlook", "program_count", "program_kinds", "legacy_step1"):
        if name not in bands:
            raise RuleTableError(f"bands.yml: missing table {name}")
        band_tables[name] = _load_band_tables(
            "bands.yml", name, bands[name], sources, figures, statements
        )
    for name in ("step2_outlook", "program_count", "program_kinds"):
        if set(band_tables[name]) != {"general", "pediatrics"}:
            raise RuleTableError(f"bands.yml: {name} needs general and pediatrics tables")

    spec_data = _read(directory, "specialties.yml")
    groups: dict[str, Group] = {}
    for gid, entry in (spec_data.get("groups") or {}).items():
        where = f"specialties.yml: group {gid}"
        _require(where, entry, "cap", "statement", "source", "target_figure")
        if entry["statement"] not in statements:
            raise RuleTableError(f"{where}: unknown statement {entry['statement']!r}")
        if entry["target_figure"] not in figures:
            raise RuleTableError(f"{where}: unknown figure {entry['target_figure']!r}")
        try:
            cap = Outlook.parse(entry["cap"])
        except KeyError as exc:
            raise RuleTableError(f"{where}: unknown outlook {entry['cap']!r}") from exc
        groups[gid] = Group(
            gid,
            cap,
            entry["statement"],
            _check_source(where, entry["source"], sources),
            entry["target_figure"],
        )
    score_tables: dict[str, ScoreTable] = {}
    for tid, entry in (spec_data.get("tables") or {}).items():
        where = f"specialties.yml: table {tid}"
        _require(where, entry, "fail_target_figure", "source")
        if entry["fail_target_figure"] not in figures:
            raise RuleTableError(f"{where}: unknown figure {entry['fail_target_figure']!r}")
        score_tables[tid] = ScoreTable(
            tid, entry["fail_target_figure"], _check_source(where, entry["source"], sources)
        )
    if set(score_tables) != set(band_tables["step2_outlook"]):
        raise RuleTableError("specialties.yml: tables must list general and pediatrics")
    specialties: dict[str, Specialty] = {}
    for sid, entry in (spec_data.get("specialties") or {}).items():
        where = f"specialties.yml: {sid}"
        _require(where, entry, "name", "group", "table", "source")
        if entry["group"] not in groups:
            raise RuleTableError(f"{where}: unknown group {entry['group']!r}")
        if entry["table"] not in band_tables["step2_outlook"]:
            raise RuleTableError(f"{where}: unknown table {entry['table']!r}")
        if entry.get("target_figure") is not None and entry["target_figure"] not in figures:
            raise RuleTableError(f"{where}: unknown figure {entry['target_figure']!r}")
        specialties[sid] = Specialty(
            sid,
            entry["name"],
            entry["group"],
            entry["table"],
            _check_source(where, entry["source"], sources),
            entry.get("target_figure"),
        )
    candidates = tuple(spec_data.get("realism_candidates") or ())
    for cid in candidates:
        if cid not in specialties:
            raise RuleTableError(f"specialties.yml: realism candidate {cid!r} unknown")

    mods = _read(directory, "modifiers.yml")
    penalties: dict[str, Penalty] = {}
    for entry in mods.get("outlook_penalties") or []:
        _require("modifiers.yml: outlook_penalties", entry, "id", "penalty", "statement", "source")
        where = f"modifiers.yml: {entry['id']}"
        if entry["statement"] not in statements:
            raise RuleTableError(f"{where}: unknown statement {entry['statement']!r}")
        if not isinstance(entry["penalty"], int) or entry["penalty"] < 0:
            raise RuleTableError(f"{where}: penalty must be a whole number >= 0")
        penalties[entry["id"]] = Penalty(
            entry["id"],
            entry["penalty"],
            entry["statement"],
            _check_source(where, entry["source"], sources),
        )
    floors: list[CountFloor] = []
    for entry in mods.get("program_count_floors") or []:
        _require("modifiers.yml: program_count_floors", entry, "id", "table", "low", "source")
        where = f"modifiers.yml: {entry['id']}"
        floors.append(
            CountFloor(
                entry["id"],
                entry["table"],
                entry["low"],
                entry.get("high"),
                entry["statement"],
                _check_source(where, entry["source"], sources),
            )
        )
    required_penalties = {"step1_failed_before", "step2_failed_before", "yog_beyond_concern"}
    if not required_penalties <= set(penalties):
        missing = sorted(required_penalties - set(penalties))
        raise RuleTableError(f"modifiers.yml: missing penalties {missing}")

    return Rules(
        sources=sources,
        figures=figures,
        statements=statements,
        step2_outlook=band_tables["step2_outlook"],
        program_count=band_tables["program_count"],
        program_kinds=band_tables["program_kinds"],
        legacy_step1=band_tables["legacy_step1"],
        specialties=specialties,
        groups=groups,
        score_tables=score_tables,
        realism_candidates=candidates,
        penalties=penalties,
        count_floors=tuple(floors),
    )


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The package's own tables, loaded once per process."""
    return load_rules(RULES_DIR)
