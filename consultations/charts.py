"""A stacked bar chart drawn as inline SVG on the server.

Hand-built rather than matplotlib: matplotlib's SVG carries `style="..."` attributes that the
strict Content Security Policy blocks, while SVG presentation attributes (fill=, x=) are fine.
The numbers are also in the tables next to the chart, so nothing depends on colour alone.
"""

from __future__ import annotations

import math

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from consultations.selectors import CountTable

# Colours with at least 3:1 contrast on white (non-text contrast), distinguishable in greyscale order.
SERIES_COLOURS = (
    "#0031d8",
    "#197a4b",
    "#c74700",
    "#6f23d0",
    "#4d4d4d",
    "#a3005b",
    "#00738a",
    "#8a6d00",
    "#333333",
)


def _n(value: float) -> str:
    return f"{value:.1f}"


def _nice_max(value: int) -> tuple[int, int]:
    """An axis maximum and tick step: 0-5 ticks of 1, 2, 5 × 10^n."""
    if value <= 0:
        return 5, 1
    raw_step = value / 5
    magnitude = 10 ** math.floor(math.log10(raw_step)) if raw_step >= 1 else 1
    for multiple in (1, 2, 5, 10):
        step = max(1, int(multiple * magnitude))
        if step * 5 >= value:
            return step * math.ceil(value / step), step
    return value, max(1, value // 5)


def stacked_bar_svg(
    table: CountTable, *, title: str, description: str, width: int = 760, height: int = 360
) -> SafeString:
    """Columns of `table` as bars, its rows stacked in each bar, with a legend and axis labels."""
    left, right, top, bottom = 56, 16, 16, 92
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = table.column_totals or [0] * len(table.column_labels)
    y_max, step = _nice_max(max(totals, default=0))
    n = max(1, len(table.column_labels))
    slot = plot_w / n
    bar_w = slot * 0.62

    parts: list[str] = []
    # Grid lines and y-axis labels.
    for tick in range(0, y_max + 1, step):
        y = top + plot_h - plot_h * tick / y_max
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d8d8db" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#333333">{}</text>',
                left,
                _n(y),
                left + plot_w,
                _n(y),
                left - 8,
                _n(y + 4),
                f"{tick:,}",
            )
        )
    # Bars.
    for col, label in enumerate(table.column_labels):
        x = left + slot * col + (slot - bar_w) / 2
        y_cursor = top + plot_h
        for row_index, (row_label, cells, _total) in enumerate(table.rows):
            value = cells[col]
            if not value:
                continue
            h = plot_h * value / y_max
            y_cursor -= h
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff"'
                    ' stroke-width="1"><title>{}</title></rect>',
                    _n(x),
                    _n(y_cursor),
                    _n(bar_w),
                    _n(h),
                    SERIES_COLOURS[row_index % len(SERIES_COLOURS)],
                    gettext("%(column)s: %(row)s %(count)s件")
                    % {"column": label, "row": row_label, "count": value},
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="#1a1a1c">{}</text>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="#333333">{}</text>',
                _n(x + bar_w / 2),
                top + plot_h + 18,
                label,
                _n(x + bar_w / 2),
                _n(y_cursor - 4),
                totals[col] if totals[col] else "",
            )
        )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1a1a1c" stroke-width="1"/>',
            left,
            top + plot_h,
            left + plot_w,
            top + plot_h,
        )
    )
    # Legend: a swatch and the series name, in the same order as the stack (bottom first).
    legend_y = top + plot_h + 44
    legend_x = left
    for row_index, row_label in enumerate(table.row_labels):
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}"/>'
                '<text x="{}" y="{}" font-size="13" fill="#1a1a1c">{}</text>',
                legend_x,
                legend_y,
                SERIES_COLOURS[row_index % len(SERIES_COLOURS)],
                legend_x + 20,
                legend_y + 12,
                row_label,
            )
        )
        legend_x += 28 + 14 * len(row_label)
        if legend_x > width - 160:
            legend_x = left
            legend_y += 22
    body = mark_safe("".join(parts))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"'
        ' aria-labelledby="chart-title chart-desc" class="consultation-chart" font-family="sans-serif">'
        '<title id="chart-title">{title}</title><desc id="chart-desc">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        title=title,
        desc=description,
        body=body,
    )
