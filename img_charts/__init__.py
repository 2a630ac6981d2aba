"""Charts drawn on the server with matplotlib (Agg backend, bundled DejaVu font, no network).

A separate package so the strategy core stays free of matplotlib: importing it costs about
half a second and a font cache on disk, which the command line, the benchmarks and the
action server's advice path do not need. The data drawn comes from
:mod:`img_strategy.standing`.
"""

from img_charts.standing import render_png

__all__ = ["render_png"]
