"""Formatting for reports: figures as the PDF prints them."""

from django import template

register = template.Library()


def format_figure(value) -> str:
    """1234 → 1,234; 4.25 → 4.3; None → — (no data for that year)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


@register.filter
def figure(value) -> str:
    return format_figure(value)
