"""The report page's bar chart, drawn on the server as SVG geometry (no script, no inline style)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from storage.reports import Report
from web.reporting import CHART_SERIES, COUNT_NAMES, key_name, number


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    title: str


@dataclass(frozen=True)
class Chart:
    """A grouped bar chart laid out here, drawn by the template as plain SVG (no script, no inline style)."""

    width: float
    height: float
    bars: list[Bar]
    labels: list[Label]
    ticks: list[Label]
    plot: tuple[float, float, float, float]  # left, top, right, bottom


LEFT, TOP, RIGHT, BOTTOM, PLOT_HEIGHT = 56.0, 14.0, 104.0, 96.0, 220.0
BAR, GAP = 14.0, 20.0


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k at least `value` (at least 4, so four ticks are whole numbers)."""
    if value <= 4:
        return 4
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return max(step * power, 4)
    return 10 * power


def build_chart(report: Report) -> Chart | None:
    """Bars of files received, archived and reused per row; None when there is nothing to draw."""
    rows = report.rows
    top_value = max((row.counts[s] for row in rows for s in CHART_SERIES), default=0)
    if not rows or top_value == 0:
        return None
    scale_max = nice_ceiling(top_value)
    group = len(CHART_SERIES) * BAR + GAP
    width = max(480.0, LEFT + RIGHT + group * len(rows))
    bottom = TOP + PLOT_HEIGHT
    bars, labels = [], []
    for n, row in enumerate(rows):
        x0 = LEFT + n * group + GAP / 2
        name = key_name(report.query.by, row.key)
        for s, series in enumerate(CHART_SERIES):
            value = row.counts[series]
            height = PLOT_HEIGHT * value / scale_max
            title = f"{name} · {COUNT_NAMES[series]}: {number(value)}"
            bars.append(Bar(x0 + s * BAR, bottom - height, BAR - 2, height, s, title))
        short = name if len(name) <= 18 else name[:17] + "…"
        labels.append(Label(x0 + len(CHART_SERIES) * BAR / 2, bottom + 14, short, name))
    ticks = [
        Label(LEFT - 6, bottom - PLOT_HEIGHT * i / 4, number(scale_max * i // 4), number(scale_max * i // 4))
        for i in range(5)
    ]
    return Chart(width, bottom + BOTTOM, bars, labels, ticks, (LEFT, TOP, width - RIGHT, bottom))
