"""The "where you stand" chart: score bands as coloured ranges, the program-tier filters
under them, and the applicant's score as a labelled marker. About 800x400 pixels, large
text, Okabe-Ito colours (safe for the common colour-vision deficiencies) with every band
also named in text, so colour is never the only cue.

Deterministic: the same standing gives the same PNG bytes (no timestamp, no software tag,
one font, fixed size and DPI).
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display, no GUI toolkit


from matplotlib.figure import Figure

from img_strategy.standing import AXIS, Standing
from img_strategy.tables import Outlook

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100  # 800 x 400 pixels

# Okabe-Ito, ordered from worst to best outlook.
_COLOURS = {
    Outlook.VERY_HARD: "#CC79A7",  # reddish purple
    Outlook.VERY_CHALLENGING: "#CC79A7",  # (penalty levels: never a band of their own)
    Outlook.SIGNIFICANT_CHALLENGE: "#D55E00",  # vermillion
    Outlook.CHALLENGING: "#E69F00",  # orange
    Outlook.REALISTIC: "#F0E442",  # yellow
    Outlook.STRONG: "#56B4E9",  # sky blue
    Outlook.VERY_STRONG: "#009E73",  # bluish green
}
_FILTER_COLOUR = "#0072B2"  # blue
_MARKER_COLOUR = "#000000"
_STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib
    "font.size": 13,
    "svg.hashsalt": "img-advisor",
    "path.simplify": True,
}


def _draw(fig: Figure, s: Standing) -> None:
    ax = fig.add_axes((0.03, 0.16, 0.94, 0.7))
    lo, hi = AXIS
    ax.set_xlim(lo, hi)
    rows = len(s.filters)
    ax.set_ylim(-rows - 0.15, 1.6)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xticks(range(lo, hi + 1, 10))
    ax.tick_params(axis="x", labelsize=13)

    # Bands: one coloured row, each band named inside it.
    for band in s.bands:
        width = band.high - band.low + 1
        colour = _COLOURS.get(band.outlook, "#999999")
        ax.barh(0.6, width, left=band.low, height=1.0, color=colour, edgecolor="white", lw=2)
        ax.text(
            band.low + width / 2,
            0.88,
            band.label,
            ha="center",
            va="center",
            fontsize=13,
            fontweight="bold",
            zorder=5,
            bbox={"facecolor": colour, "edgecolor": "none", "pad": 1},
        )
        # The article's words up to the first comma, wrapped to the band's width.
        # About 2 characters of 9-point text per score point: two lines fit a 10-point band.
        words = textwrap.fill(band.outlook_text.split(",")[0], max(14, int(width * 2.2)))
        ax.text(
            band.low + width / 2,
            0.4,
            words,
            ha="center",
            va="center",
            fontsize=9 if "\n" in words else 10,
            zorder=5,
            bbox={"facecolor": colour, "edgecolor": "none", "pad": 1},
        )

    # Program filters: one thin row each, from the cut-off to its top (or the axis end),
    # named just above the bar.
    for i, tier in enumerate(s.filters):
        y = -0.75 - i
        end = tier.high if tier.high is not None else hi
        ax.barh(y, end - tier.low, left=tier.low, height=0.35, color=_FILTER_COLOUR)
        if tier.high is None:
            ax.annotate(
                "",
                xy=(hi, y),
                xytext=(hi - 3, y),
                arrowprops={"arrowstyle": "->", "color": "white", "lw": 2},
            )
        # Named above the bar, kept inside the axis: right-aligned for tiers on the right.
        right = tier.low > (lo + hi) / 2 - 5
        ax.text(
            end if right else tier.low,
            y + 0.36,
            f"{tier.name}: {tier.label}",
            ha="right" if right else "left",
            va="center",
            fontsize=11,
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
        )

    fig.text(0.03, 0.93, s.title, fontsize=15, fontweight="bold", ha="left")

    if s.score is not None:
        x = min(max(s.score, lo), hi)
        style = "--" if s.estimated else "-"
        ax.axvline(x, ymin=0.0, ymax=1.0, color=_MARKER_COLOUR, lw=3, ls=style, zorder=4)
        ax.plot([x], [1.22], marker="v", markersize=14, color=_MARKER_COLOUR, clip_on=False)
        text = s.marker_label or ""
        align = "left" if x < (lo + hi) / 2 else "right"
        ax.text(
            x + (1 if align == "left" else -1),
            1.42,
            text,
            ha=align,
            va="center",
            fontsize=13,
            fontweight="bold",
            bbox={"facecolor": "white", "edgecolor": _MARKER_COLOUR, "boxstyle": "round"},
        )
    fig.text(
        0.03,
        0.04,
        "Step 2 CK score. Ranges are the guidance's, not program cut-offs.",
        fontsize=10,
        ha="left",
        color="#333333",
    )


def render_png(s: Standing) -> bytes:
    """The chart as PNG bytes; identical bytes for an identical standing."""
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
        _draw(fig, s)
        buf = io.BytesIO()
        # No "Software" (version) or date chunks: the bytes depend on the standing only.
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()
