"""Formatting for reports: figures as the PDF prints them."""

from functools import cache

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

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


@register.filter
def share(journey, step) -> list[str]:
    """The step's values as shares of the journey's first step (selectors.Journey.share)."""
    return journey.share(step)


@cache
def _phrase_parser():
    import budoux

    return budoux.load_default_japanese_parser()


@register.filter
def phrases(text) -> str:
    """Japanese phrases (budoux) each in a span that does not wrap: a label breaks between
    phrases, never inside a word. (WeasyPrint 70 has no `word-break: keep-all`, and a zero-width
    space only adds break opportunities.)"""
    text = str(text or "")
    if not text:
        return ""
    return mark_safe(
        "".join(
            f'<span class="ph">{conditional_escape(part)}</span>' for part in _phrase_parser().parse(text)
        )
    )


@register.filter
def change(value) -> str:
    """The change from last year: +12, −3, ±0, — (no data). A fraction is rounded as it is printed
    first: two averages that both print 4.1 differ by ±0, never −0.0."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = round(value, 1)
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "−") + format_figure(abs(value))


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def with_unit(label, unit) -> str:
    """参加者数（人）: the unit joins the label, so the two are phrased (and wrapped) together."""
    return f"{label}（{unit}）" if unit else str(label)
