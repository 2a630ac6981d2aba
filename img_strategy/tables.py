"""Loading and checking the YAML rule tables.

Every figure, statement, band and specialty carries a ``source`` that must name an article
section or a facts.md id from ``sources.yml``. Any defect fails loudly at load time with
the file and entry named, so a malformed table never reaches a user.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum, IntEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

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
        "comparison",
        "count",
        "usce_months_text",
        "value",
        "failures",
        "cutoff_date",
        "pass_mark",
        "taken",
        "match_year",
        "check_at",
        "signals",
        "share",
        # the dated plan (img_strategy/plan.py)
        "month",
        "months",
        "missed_year",
        "asked_year",
        "weeks",
    }
)
# Names that legitimately contain digits; any other digit in a statement is refused.
_NAMES_WITH_DIGITS = re.compile(r"Step [123]|J-1|H-1B|Conrad 30")


class RuleTableError(ValueError):
    """A rule table is malformed; the message names the file and the entry."""


class Outlook(IntEnum):
    """How attainable a goal is, worst to best: one scale for every specialty.

    Each level is an article's own verdict (its words are the ``outlook.*`` statements):
    ``VERY_HARD`` "even strong scores may not be enough" (very competitive fields),
    ``VERY_CHALLENGING`` the general article's Scenario 3, ``SIGNIFICANT_CHALLENGE``
    "a significant challenge, but not the end" (CK under 220), ``CHALLENGING`` "still
    matchable, but very strategic" (220s), then realistic, strong and very strong.
    """

    VERY_HARD = 1
    VERY_CHALLENGING = 2
    SIGNIFICANT_CHALLENGE = 3
    CHALLENGING = 4
    REALISTIC = 5
    STRONG = 6
    VERY_STRONG = 7

    @classmethod
    def parse(cls, name: str) -> Outlook:
        return cls[name.upper()]


class Table(str, Enum):
    """Whose score tables answer for a specialty: the general article's, or the pediatrics
    article's (which refine targets, counts and kinds, never the cross-field outlook)."""

    GENERAL = "general"
    PEDIATRICS = "pediatrics"


class Group(str, Enum):
    """Where the general article places a specialty; the order between groups is its
    order of attainability for non-US IMGs."""

    CORE = "core"  # FM, IM, Peds: "more attainable"
    NEURO_PSYCH = "neuro_psych"  # "also realistic"
    NOT_IN_GUIDANCE = "not_in_guidance"  # the articles give no field-specific figures
    HIGHLY_COMPETITIVE = "highly_competitive"  # "even strong scores may not be enough"


class PenaltyKind(str, Enum):
    """Profile facts that lower the outlook (modifiers.yml)."""

    STEP1_FAILED_ONCE = "step1_failed_before"
    STEP1_FAILED_REPEATEDLY = "step1_failed_repeatedly"
    STEP2_FAILED_ONCE = "step2_failed_before"
    STEP2_FAILED_REPEATEDLY = "step2_failed_repeatedly"
    YOG_BEYOND_CONCERN = "yog_beyond_concern"
    H1B_ONLY = "h1b_only"


@dataclass(frozen=True)
class Source:
    """Where a rule comes from. ``citation`` is what a person reads; ids and file names
    stay internal."""

    id: str
    doc_file: str
    section: str
    citation: str
    status: str = "verified"  # facts.md: verified | reported
    as_of: str | None = None
    match_year: int | None = None  # a fact that belongs to one Match cycle
    check_at: str | None = None  # where a newer figure is published

    @property
    def reported(self) -> bool:
        return self.status == "reported"

    def cite(self) -> str:
        return self.citation


@dataclass(frozen=True)
class Figure:
    id: str
    display: str
    source: str
    low: float | None = None
    high: float | None = None
    value: float | None = None
    since: date | None = None  # the day a dated figure (a pass mark, a rule) took effect


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    source: str
    placeholders: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Band:
    """One row of a score-banded table: scores ``low..high`` inclusive."""

    id: str
    low: int
    high: int
    source: str

    def contains(self, score: int) -> bool:
        return self.low <= score <= self.high


@dataclass(frozen=True)
class ScoreBand(Band):
    """A Step 2 CK band: the article's statement for it and, in the general table, the
    outlook it maps to (the pediatrics rows refine wording only)."""

    figure: str = ""
    statement: str = ""
    outlook: Outlook | None = None


@dataclass(frozen=True)
class CountBand(Band):
    """How many programs: a fixed range, or the low end taken from a figure."""

    statement: str = ""
    low_count: int | None = None
    low_figure: str | None = None
    high_count: int | None = None


@dataclass(frozen=True)
class KindsBand(Band):
    """Which kinds of program to list (each kind is a ``kind.*`` statement)."""

    figure: str = ""
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegacyStep1Band(Band):
    """A three-digit Step 1 (exams before the pass/fail date), pediatrics article."""

    figure: str = ""
    statement: str = ""


B = TypeVar("B", bound=Band)
E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class BandTable(Generic[B]):
    name: str
    bands: tuple[B, ...]

    def lookup(self, score: int) -> B:
        clamped = min(max(score, SCORE_MIN), SCORE_MAX)
        for band in self.bands:
            if band.contains(clamped):
                return band
        raise AssertionError(f"{self.name}: checked at load to cover every score")


@dataclass(frozen=True)
class Specialty:
    id: str
    name: str
    group: Group
    table: Table
    source: str
    target_figure: str | None = None  # overrides the group's CK target
    img_share_figure: str | None = None  # share of first-year positions IMGs filled (F21)
    signals_figure: str | None = None  # program signals for one Match (F17, F18)


@dataclass(frozen=True)
class GroupRule:
    group: Group
    cap: Outlook
    statement: str
    source: str
    target_figure: str


@dataclass(frozen=True)
class ScoreTable:
    """Per-table settings: the CK target that offsets earlier failed attempts."""

    table: Table
    fail_target_figure: str
    source: str


@dataclass(frozen=True)
class Penalty:
    kind: PenaltyKind
    steps: int
    statement: str
    source: str

    @property
    def id(self) -> str:
        return self.kind.value


@dataclass(frozen=True)
class CountFloor:
    id: str
    table: Table
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
    step2_outlook: Mapping[Table, BandTable[ScoreBand]]
    program_count: Mapping[Table, BandTable[CountBand]]
    program_kinds: Mapping[Table, BandTable[KindsBand]]
    legacy_step1: Mapping[Table, BandTable[LegacyStep1Band]]
    specialties: Mapping[str, Specialty]
    groups: Mapping[Group, GroupRule]
    score_tables: Mapping[Table, ScoreTable]
    realism_candidates: tuple[str, ...]
    penalties: Mapping[PenaltyKind, Penalty]
    outlook_floor: Outlook  # penalties never push a named field below this
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
        if not notes:
            return figure.display
        # Inside the sentence's own brackets a second pair would nest ("(pass mark 218
        # (reported))"): the notes then follow after a comma.
        at = statement_text.find(f"{{{figure_id}}}")
        inside = at >= 0 and statement_text.count("(", 0, at) > statement_text.count(")", 0, at)
        return figure.display + (f", {', '.join(notes)}" if inside else f" ({', '.join(notes)})")

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
        document = docs[entry["doc"]]
        if document.get("cite_as"):  # an article: "Pediatrics article, Case 3"
            _require(where, entry, "name")
            citation = f"{document['cite_as']}, {entry['name']}"
        else:  # a dated fact: its publisher and date
            _require(where, entry, "publisher", "date")
            citation = f"{entry['publisher']}, {entry['date']}"
        out[sid] = Source(
            id=sid,
            doc_file=document["file"],
            section=str(entry["section"]),
            citation=citation,
            status=status,
            as_of=entry.get("as_of"),
            match_year=entry.get("match_year"),
            check_at=entry.get("check_at"),
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
        since = entry.get("since")
        if since is not None and not isinstance(since, date):
            raise RuleTableError(f"{where}: since must be a date (YYYY-MM-DD)")
        out[fid] = Figure(
            id=fid,
            display=str(entry["display"]),
            source=_check_source(where, entry["source"], sources),
            low=low,
            high=high,
            value=entry.get("value"),
            since=since,
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


class _Refs:
    """Checks that an entry's references to other tables exist, naming the entry if not."""

    def __init__(
        self,
        sources: Mapping[str, Source],
        figures: Mapping[str, Figure],
        statements: Mapping[str, Statement],
    ) -> None:
        self.sources, self.figures, self.statements = sources, figures, statements

    def source(self, where: str, value: Any) -> str:
        return _check_source(where, value, self.sources)

    def figure(self, where: str, value: Any) -> str:
        if value not in self.figures:
            raise RuleTableError(f"{where}: unknown figure {value!r}")
        return str(value)

    def statement(self, where: str, value: Any) -> str:
        if value not in self.statements:
            raise RuleTableError(f"{where}: unknown statement {value!r}")
        return str(value)

    def optional_figure(self, where: str, value: Any) -> str | None:
        return None if value is None else self.figure(where, value)


def _outlook(where: str, name: Any) -> Outlook:
    try:
        return Outlook.parse(str(name))
    except KeyError as exc:
        raise RuleTableError(f"{where}: unknown outlook {name!r}") from exc


def _enum(where: str, kind: type[E], value: Any, what: str) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        raise RuleTableError(f"{where}: unknown {what} {value!r}") from exc


def _score_band(where: str, row: dict[str, Any], base: dict[str, Any], refs: _Refs) -> ScoreBand:
    return ScoreBand(
        **base,
        figure=refs.figure(where, row.get("figure")),
        statement=refs.statement(where, row.get("statement")),
        outlook=_outlook(where, row["outlook"]) if "outlook" in row else None,
    )


def _count_band(where: str, row: dict[str, Any], base: dict[str, Any], refs: _Refs) -> CountBand:
    return CountBand(
        **base,
        statement=refs.statement(where, row.get("statement")),
        low_count=row.get("low"),
        low_figure=refs.optional_figure(where, row.get("low_figure")),
        high_count=row.get("high"),
    )


def _kinds_band(where: str, row: dict[str, Any], base: dict[str, Any], refs: _Refs) -> KindsBand:
    for kind in row.get("kinds", []):
        if f"kind.{kind}" not in refs.statements:
            raise RuleTableError(f"{where}: kind {kind!r} has no statement kind.{kind}")
    return KindsBand(
        **base, figure=refs.figure(where, row.get("figure")), kinds=tuple(row.get("kinds", ()))
    )


def _legacy_band(
    where: str, row: dict[str, Any], base: dict[str, Any], refs: _Refs
) -> LegacyStep1Band:
    return LegacyStep1Band(
        **base,
        figure=refs.figure(where, row.get("figure")),
        statement=refs.statement(where, row.get("statement")),
    )


def _load_band_tables(
    name: str,
    data: dict[str, Any],
    refs: _Refs,
    make_row: Callable[[str, dict[str, Any], dict[str, Any], _Refs], B],
) -> dict[Table, BandTable[B]]:
    tables: dict[Table, BandTable[B]] = {}
    for table_name, rows in data.items():
        prefix = f"bands.yml: {name}.{table_name}"
        table = _enum(prefix, Table, table_name, "table")
        if not isinstance(rows, list) or not rows:
            raise RuleTableError(f"{prefix}: must be a non-empty list of bands")
        bands: list[B] = []
        for row in rows:
            _require(prefix, row, "id", "min", "max", "source")
            where = f"{prefix}: {row['id']}"
            if not (isinstance(row["min"], int) and isinstance(row["max"], int)):
                raise RuleTableError(f"{where}: min and max must be whole scores")
            if row["min"] > row["max"]:
                raise RuleTableError(f"{where}: min {row['min']} is above max {row['max']}")
            base = {
                "id": row["id"],
                "low": row["min"],
                "high": row["max"],
                "source": refs.source(where, row["source"]),
            }
            bands.append(make_row(where, row, base, refs))
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
        tables[table] = BandTable(name=f"{name}.{table_name}", bands=tuple(bands))
    return tables


def _entries(
    spec_data: dict[str, Any], key: str, label: str, *required: str
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, where, entry) for each entry under ``key`` in specialties.yml, checked to have
    the ``required`` keys."""
    for entry_id, entry in (spec_data.get(key) or {}).items():
        where = f"specialties.yml: {label}{entry_id}"
        _require(where, entry, *required)
        yield entry_id, where, entry


def _load_groups(spec_data: dict[str, Any], refs: _Refs) -> dict[Group, GroupRule]:
    groups: dict[Group, GroupRule] = {}
    required = ("cap", "statement", "source", "target_figure")
    for gid, where, entry in _entries(spec_data, "groups", "group ", *required):
        group = _enum(where, Group, gid, "group")
        groups[group] = GroupRule(
            group=group,
            cap=_outlook(where, entry["cap"]),
            statement=refs.statement(where, entry["statement"]),
            source=refs.source(where, entry["source"]),
            target_figure=refs.figure(where, entry["target_figure"]),
        )
    if set(groups) != set(Group):
        raise RuleTableError("specialties.yml: groups must list " + ", ".join(Group))
    return groups


def _load_specialties(spec_data: dict[str, Any], refs: _Refs) -> dict[str, Specialty]:
    specialties: dict[str, Specialty] = {}
    required = ("name", "group", "table", "source")
    for sid, where, entry in _entries(spec_data, "specialties", "", *required):
        specialties[sid] = Specialty(
            id=sid,
            name=entry["name"],
            group=_enum(where, Group, entry["group"], "group"),
            table=_enum(where, Table, entry["table"], "table"),
            source=refs.source(where, entry["source"]),
            target_figure=refs.optional_figure(where, entry.get("target_figure")),
            img_share_figure=refs.optional_figure(where, entry.get("img_share")),
            signals_figure=refs.optional_figure(where, entry.get("signals")),
        )
    return specialties


def _load_penalties(mods: dict[str, Any], refs: _Refs) -> dict[PenaltyKind, Penalty]:
    penalties: dict[PenaltyKind, Penalty] = {}
    for entry in mods.get("outlook_penalties") or []:
        _require("modifiers.yml: outlook_penalties", entry, "id", "penalty", "statement", "source")
        where = f"modifiers.yml: {entry['id']}"
        if not isinstance(entry["penalty"], int) or entry["penalty"] < 0:
            raise RuleTableError(f"{where}: penalty must be a whole number >= 0")
        kind = _enum(where, PenaltyKind, entry["id"], "penalty")
        penalties[kind] = Penalty(
            kind=kind,
            steps=entry["penalty"],
            statement=refs.statement(where, entry["statement"]),
            source=refs.source(where, entry["source"]),
        )
    if set(penalties) != set(PenaltyKind):
        missing = sorted(k.value for k in set(PenaltyKind) - set(penalties))
        raise RuleTableError(f"modifiers.yml: missing penalties {missing}")
    return penalties


def load_rules(directory: Path | str = RULES_DIR) -> Rules:
    """Load and check every rule table in ``directory``; raise :class:`RuleTableError`."""
    directory = Path(directory)
    sources = _load_sources(_read(directory, "sources.yml"))
    figures = _load_figures(_read(directory, "figures.yml"), sources)
    statements = _load_statements(_read(directory, "statements.yml"), sources, figures)
    refs = _Refs(sources, figures, statements)

    bands = _read(directory, "bands.yml")
    for name in ("step2_outlook", "program_count", "program_kinds", "legacy_step1"):
        if name not in bands:
            raise RuleTableError(f"bands.yml: missing table {name}")
    step2_outlook = _load_band_tables("step2_outlook", bands["step2_outlook"], refs, _score_band)
    program_count = _load_band_tables("program_count", bands["program_count"], refs, _count_band)
    program_kinds = _load_band_tables("program_kinds", bands["program_kinds"], refs, _kinds_band)
    legacy = _load_band_tables("legacy_step1", bands["legacy_step1"], refs, _legacy_band)
    for name, loaded in (
        ("step2_outlook", step2_outlook),
        ("program_count", program_count),
        ("program_kinds", program_kinds),
    ):
        if set(loaded) != set(Table):
            raise RuleTableError(f"bands.yml: {name} needs general and pediatrics tables")
    for band in step2_outlook[Table.GENERAL].bands:
        if band.outlook is None:  # the general article decides the outlook for every field
            raise RuleTableError(f"bands.yml: step2_outlook.general: {band.id}: needs outlook")

    spec_data = _read(directory, "specialties.yml")
    groups = _load_groups(spec_data, refs)
    score_tables: dict[Table, ScoreTable] = {}
    for tid, where, entry in _entries(
        spec_data, "tables", "table ", "fail_target_figure", "source"
    ):
        table = _enum(where, Table, tid, "table")
        score_tables[table] = ScoreTable(
            table,
            refs.figure(where, entry["fail_target_figure"]),
            refs.source(where, entry["source"]),
        )
    if set(score_tables) != set(Table):
        raise RuleTableError("specialties.yml: tables must list general and pediatrics")
    specialties = _load_specialties(spec_data, refs)
    candidates = tuple(spec_data.get("realism_candidates") or ())
    for cid in candidates:
        if cid not in specialties:
            raise RuleTableError(f"specialties.yml: realism candidate {cid!r} unknown")

    mods = _read(directory, "modifiers.yml")
    penalties = _load_penalties(mods, refs)
    floor = _outlook("modifiers.yml: outlook_floor", mods.get("outlook_floor"))
    floors: list[CountFloor] = []
    for entry in mods.get("program_count_floors") or []:
        _require("modifiers.yml: program_count_floors", entry, "id", "table", "low", "source")
        where = f"modifiers.yml: {entry['id']}"
        floors.append(
            CountFloor(
                id=entry["id"],
                table=_enum(where, Table, entry["table"], "table"),
                low=entry["low"],
                high=entry.get("high"),
                statement=refs.statement(where, entry["statement"]),
                source=refs.source(where, entry["source"]),
            )
        )

    return Rules(
        sources=sources,
        figures=figures,
        statements=statements,
        step2_outlook=step2_outlook,
        program_count=program_count,
        program_kinds=program_kinds,
        legacy_step1=legacy,
        specialties=specialties,
        groups=groups,
        score_tables=score_tables,
        realism_candidates=candidates,
        penalties=penalties,
        outlook_floor=floor,
        count_floors=tuple(floors),
    )


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The package's own tables, loaded once per process."""
    return load_rules(RULES_DIR)
