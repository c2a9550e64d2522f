"""Vector charts (SVG) for the reports, drawn by matplotlib with the bundled Japanese font.

The text stays text (svg.fonttype "none") and names the PDF's font family, so WeasyPrint draws
the labels with the same embedded IPAex subset as the rest of the report.
"""

from __future__ import annotations

import io
import re
import threading
from functools import cache

from core.pdf import FONT_FAMILY, japanese_font_path

KEY_COLOUR = "#0017c1"
LABEL_COLOUR = "#1a1a1a"
_lock = threading.Lock()  # pyplot keeps global state: one figure at a time per process


@cache
def _matplotlib():
    import matplotlib

    matplotlib.use("svg", force=False)
    from matplotlib import font_manager

    path = str(japanese_font_path())
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "kyodo-report",  # stable ids: the same data gives the same SVG
            "font.family": name,
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#666666",
            "axes.labelcolor": LABEL_COLOUR,
            "xtick.color": LABEL_COLOUR,
            "ytick.color": LABEL_COLOUR,
        }
    )
    from matplotlib.figure import Figure

    return Figure, name


def _to_svg(figure, font_name: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: the SVG goes inline in HTML
    svg = svg.replace(f"font-family: '{font_name}'", f"font-family: '{FONT_FAMILY}'")
    # Sized by the page, not by points: the chart scales to the column width.
    return re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", svg, count=1)


def _format(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    *,
    labels: tuple[str, ...],
    values: tuple[float, ...],
    unit: str = "",
    horizontal: bool = False,
    title: str = "",
) -> str:
    """A bar chart as an SVG string, each bar labelled with its value (no information by colour)."""
    Figure, font_name = _matplotlib()
    with _lock:
        height = max(2.6, 0.38 * len(labels) + 0.8) if horizontal else 2.8
        figure = Figure(figsize=(6.4, height))
        axes = figure.subplots()
        positions = list(range(len(labels)))
        if horizontal:
            bars = axes.barh(positions, values, color=KEY_COLOUR, height=0.6)
            axes.set_yticks(positions, labels)
            axes.invert_yaxis()
        else:
            bars = axes.bar(positions, values, color=KEY_COLOUR, width=0.6)
            axes.set_xticks(positions, labels)
        axes.bar_label(bars, labels=[_format(v) for v in values], padding=2, fontsize=8.5)
        axes.margins(x=0.02 if not horizontal else 0.12, y=0.12 if not horizontal else 0.02)
        if title:
            axes.set_title(title, fontsize=11, loc="left")
        return _to_svg(figure, font_name)


# Three years side by side, told apart without colour: grays from light to dark (the oldest year
# lightest and hatched, the report's year darkest), and every bar carries its value. Only one
# sparse hatch: WeasyPrint draws an SVG pattern tile by tile, and a dotted hatch cost about 0.7 s
# of CPU per chart (most of a report's rendering time).
YEAR_STYLES = (
    {"color": "#dddddd", "hatch": "//", "edgecolor": "#555555"},
    {"color": "#8c8c8c", "hatch": "", "edgecolor": "#333333"},
    {"color": KEY_COLOUR, "hatch": "", "edgecolor": KEY_COLOUR},
)


def years_chart(
    *, labels: list[str], years: list[str], values: list[list[float]], units: list[str] | None = None
) -> str:
    """One group of three horizontal bars per label (the three fiscal years), with a legend and each
    bar's value: readable in grayscale."""
    Figure, font_name = _matplotlib()
    units = units or [""] * len(labels)
    with _lock:
        figure = Figure(figsize=(6.4, 0.62 * len(labels) + 0.7))
        axes = figure.subplots()
        height = 0.27
        top = max((v for row in values for v in row), default=0) or 1
        for index, year in enumerate(years):
            style = YEAR_STYLES[index - len(years) + len(YEAR_STYLES)]
            positions = [row + (index - 1) * height for row in range(len(labels))]
            bars = axes.barh(
                positions,
                [row[index] for row in values],
                height=height * 0.92,
                label=year,
                linewidth=0.5,
                **style,
            )
            axes.bar_label(
                bars,
                labels=[f"{_format(row[index])}{unit}" for row, unit in zip(values, units, strict=True)],
                padding=2,
                fontsize=7.5,
            )
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.25)
        axes.set_xticks([])
        axes.spines["bottom"].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.legend(loc="lower right", fontsize=8, frameon=False)
        return _to_svg(figure, font_name)


def months_chart(*, labels: list[str], years: list[str], values: list[list[float]]) -> str:
    """Month by month, three fiscal years side by side: vertical bars in the same gray-and-hatch
    styles as years_chart, each non-zero bar carrying its value (readable in grayscale)."""
    Figure, font_name = _matplotlib()
    with _lock:
        figure = Figure(figsize=(6.4, 3.0))
        axes = figure.subplots()
        width = 0.28
        for index, year in enumerate(years):
            style = YEAR_STYLES[index - len(years) + len(YEAR_STYLES)]
            offset = (index - (len(years) - 1) / 2) * width
            row = [value[index] for value in values]
            bars = axes.bar(
                [position + offset for position in range(len(labels))],
                row,
                width=width * 0.92,
                label=year,
                linewidth=0.5,
                **style,
            )
            axes.bar_label(
                bars, labels=[_format(v) if v else "" for v in row], padding=1, fontsize=5.5, rotation=90
            )
        axes.set_xticks(range(len(labels)), labels)
        axes.margins(x=0.01, y=0.18)
        axes.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(years), fontsize=8, frameon=False
        )
        return _to_svg(figure, font_name)


def journey_chart(*, labels: list[str], years: list[str], values: list[list[int]], units: list[str]) -> str:
    """担い手育成の流れ: each step (people, then groups) for three cohorts side by side."""
    return years_chart(labels=labels, years=years, values=values, units=units)
