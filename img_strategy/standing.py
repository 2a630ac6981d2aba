"""Where a CK score stands: the score bands and program filters of one table, and the
applicant's score (or practice estimate) among them.

Pure data for the chart (``img_charts`` draws it as a PNG), its alt text, and the one-line
text bar the shell shows. Every range comes from the rule tables: the bands from
``bands.yml`` (step2_outlook), the filter tiers from figures the articles give.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from img_strategy.assessment import assess
from img_strategy.profile import Profile
from img_strategy.tables import Outlook, Rules, Table, default_rules

# The program-tier filter figures of each table, with the tier's name.
_FILTERS = {
    Table.GENERAL: (
        ("ck_filter_community", "Community programs"),
        ("ck_filter_hybrid", "Mid-tier community/academic"),
        ("ck_filter_academic", "Competitive academic"),
    ),
    Table.PEDIATRICS: (
        ("peds_filter_many", "Many pediatrics programs"),
        ("peds_filter_academic", "Academic and children's hospitals"),
    ),
}
# The chart's score axis; a score outside it is drawn at the edge with its value.
AXIS = (200, 260)


@dataclass(frozen=True)
class ScoreBand:
    low: int  # first score shown (clamped to the axis)
    high: int  # last score shown
    label: str  # the band as the article writes it, e.g. "220-229"
    outlook: Outlook
    outlook_text: str  # e.g. "challenging but possible"


@dataclass(frozen=True)
class FilterTier:
    name: str
    low: int
    high: int | None  # None: "and up"
    label: str  # as the article writes it, e.g. "high 220s to 230s"


@dataclass(frozen=True)
class Standing:
    table: Table
    specialty: str  # display name, or "any specialty"
    bands: tuple[ScoreBand, ...]
    filters: tuple[FilterTier, ...]
    score: int | None
    estimated: bool  # the score is a practice estimate, not a real CK
    sources: tuple[str, ...]  # source ids of the bands and filters, for citing

    @property
    def marker_label(self) -> str | None:
        if self.score is None:
            return None
        if self.estimated:
            return f"Your practice estimate: {self.score} (estimated)"
        return f"Your CK: {self.score}"

    @property
    def band(self) -> ScoreBand | None:
        if self.score is None:
            return None
        for band in self.bands:
            if band.low <= self.score <= band.high:
                return band
        return self.bands[0] if self.score < self.bands[0].low else self.bands[-1]

    @property
    def title(self) -> str:
        guidance = self.table.value
        return f"Step 2 CK bands for {self.specialty} ({guidance} guidance)"

    def alt_text(self) -> str:
        """The chart in words, for screen readers and text-only channels."""
        bands = "; ".join(f"{b.label}: {b.outlook_text}" for b in self.bands)
        tiers = "; ".join(f"{t.name}: {t.label}" for t in self.filters)
        parts = [f"{self.title}. Bands: {bands}. Program filters: {tiers}."]
        band = self.band
        if self.marker_label is not None and band is not None:
            parts.append(f"{self.marker_label}, in the {band.label} band ({band.outlook_text}).")
        else:
            parts.append("No CK score or practice estimate given yet.")
        return " ".join(parts)

    def text_bar(self) -> str:
        """One line for text channels, e.g. ``210 ─ 220 ─[228]─ 230 ─ 240 ─ 250``."""
        ticks: list[str] = []
        edges = sorted({b.low for b in self.bands[1:]} | {AXIS[0] + 10, AXIS[1] - 10})
        placed = self.score is None
        for edge in edges:
            if not placed and self.score is not None and self.score < edge:
                ticks.append(f"[{self.score}{'?' if self.estimated else ''}]")
                placed = True
            ticks.append(str(edge))
        if not placed:
            ticks.append(f"[{self.score}{'?' if self.estimated else ''}]")
        line = " ─ ".join(ticks)
        line = line.replace(" ─ [", " ─[").replace("] ─ ", "]─ ")
        if self.estimated:
            line += "  (? = practice estimate)"
        return line


def standing(profile: Profile, today: date, rules: Rules | None = None) -> Standing:
    """The standing for the profile's specialty (the general table when none is known)."""
    rules = rules or default_rules()
    spec = rules.specialties.get(profile.specialty) if profile.specialty else None
    # The table, and the score that counts: the real CK, else the practice estimate.
    a = assess(rules, profile, profile.specialty, today)
    sources: list[str] = []
    bands = []
    for band in rules.step2_outlook[a.table].bands:
        # One scale: a pediatrics band shows the general article's outlook for its scores.
        outlook = band.outlook or rules.step2_outlook[Table.GENERAL].lookup(band.low).outlook
        assert outlook is not None  # the general table is checked at load to have them
        bands.append(
            ScoreBand(
                low=max(band.low, AXIS[0]),
                high=min(band.high, AXIS[1]),
                label=rules.figure(band.figure).display,
                outlook=outlook,
                outlook_text=rules.statement(f"outlook.{outlook.name.lower()}").text,
            )
        )
        sources.append(band.source)
    filters = []
    for figure_id, name in _FILTERS[a.table]:
        figure = rules.figure(figure_id)
        filters.append(
            FilterTier(
                name=name,
                low=int(figure.low or AXIS[0]),
                high=int(figure.high) if figure.high is not None else None,
                label=figure.display,
            )
        )
        sources.append(figure.source)
    return Standing(
        table=a.table,
        specialty=spec.name if spec else "any specialty",
        bands=tuple(bands),
        filters=tuple(filters),
        score=a.ck,
        estimated=a.ck_is_estimate,
        sources=tuple(dict.fromkeys(sources)),
    )
