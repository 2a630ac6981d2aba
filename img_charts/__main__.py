"""``python -m img_charts --step2 228 --specialty im --out chart.png``: the "where you
stand" chart for one profile, with its alt text and text bar printed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from img_charts.standing import render_png
from img_strategy.cli import profile_arguments, profile_from_args
from img_strategy.standing import standing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m img_charts", description=__doc__)
    profile_arguments(parser)
    parser.add_argument("--out", type=Path, required=True, help="PNG file to write")
    args = parser.parse_args(argv)
    where = standing(profile_from_args(args), args.today or date.today())
    args.out.write_bytes(render_png(where))
    sys.stdout.write(f"{where.text_bar()}\n{where.alt_text()}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
