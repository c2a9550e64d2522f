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


def funnel_chart(*, labels: tuple[str, ...], values: tuple[int, ...], unit: str = "") -> str:
    """The journey funnel: one horizontal bar per step, centred, with the count and the step rate."""
    Figure, font_name = _matplotlib()
    with _lock:
        figure = Figure(figsize=(6.4, 0.55 * len(labels) + 0.6))
        axes = figure.subplots()
        top = max(values) if values and max(values) > 0 else 1
        for index, (_label, value) in enumerate(zip(labels, values, strict=True)):
            width = max(value / top, 0.004)
            axes.barh(index, width, left=(1 - width) / 2, color=KEY_COLOUR, height=0.7)
            text = f"{_format(value)}{unit}"
            if index > 0 and values[index - 1]:
                text += f"（前段の{value / values[index - 1] * 100:.0f}%）"
            axes.text(1.02, index, text, va="center", ha="left", fontsize=9, color=LABEL_COLOUR)
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 1.55)
        axes.set_xticks([])
        axes.spines["bottom"].set_visible(False)
        axes.spines["left"].set_visible(False)
        axes.tick_params(axis="y", length=0)
        return _to_svg(figure, font_name)
