"""Template filters every page may use (loaded as a builtin): dates and fiscal years."""

import datetime as dt

from django import template

from core import fiscal

register = template.Library()


@register.filter
def fiscal_year(value: dt.date | dt.datetime | None) -> int | str:
    """{{ some_date|fiscal_year }} → 2025"""
    if not value:
        return ""
    return fiscal.fiscal_year_of(value)


@register.filter
def fiscal_label(value: int | dt.date | dt.datetime | None) -> str:
    """{{ 2025|fiscal_label }} or {{ some_date|fiscal_label }} → 令和7年度"""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        value = fiscal.fiscal_year_of(value)
    return fiscal.fiscal_year_label(int(value))


@register.filter
def wareki(value: dt.date | dt.datetime | None) -> str:
    """{{ some_date|wareki }} → 令和8年4月1日"""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return fiscal.wareki_date(value)


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current page, with … where pages are left out."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


@register.simple_tag
def rule_perm(perm: str, user, obj=None) -> bool:
    """{% rule_perm "reports.access_reports" user as can_read_reports %}: asks the rules.

    Like rules' {% has_perm %}, but only the rules (every permission a template asks about is
    declared in an app's rules.py): it never falls through to Django's model permissions, which
    would cost two queries per page for every signed-in visitor who lacks the permission."""
    from core.permissions import may

    return may(user, perm, obj)
