"""Reads of the info app: grant lists, grants that fit a group, saved searches, figures for reports."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.fiscal import fiscal_year_of
from core.models import Theme
from core.permissions import may
from info.filters import GrantFilter
from info.models import AlertDelivery, Grant, SavedSearch

# How many fitting grants a group page or マイページ shows.
FITTING_GRANTS_SHOWN = 5


def _with_lists(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("order", "pk")))


def grant_list(*, params, today: dt.date | None = None) -> GrantFilter:
    """Open grants, filtered, soonest deadline first (no deadline last). Check .is_valid()."""
    today = today or timezone.localdate()
    return GrantFilter(params, queryset=_with_lists(Grant.objects.open_on(today)), today=today)


def grant_archive(*, today: dt.date | None = None) -> QuerySet:
    """Grants whose deadline has passed, latest deadline first."""
    today = today or timezone.localdate()
    return _with_lists(Grant.objects.past_on(today)).order_by("-closes_on", "-id")


def grant_visible(*, pk: int) -> Grant | None:
    return _with_lists(Grant.objects.published().select_related("department")).filter(pk=pk).first()


def grants_fitting(
    *, theme_ids: list[int], legal_form: str, founded_year: int | None = None, today: dt.date | None = None
) -> list[Grant]:
    """Open grants that a group with these themes and legal form may apply to.

    A grant fits when it names one of the group's themes (or no theme), allows the group's legal
    form (or any form), and the group has been active long enough (unknown founding year: shown).
    """
    today = today or timezone.localdate()
    through = Grant.themes.through.objects
    queryset = Grant.objects.open_on(today).filter(
        Q(legal_forms="") | Q(legal_forms__contains=f",{legal_form},"),
        Q(pk__in=through.filter(theme_id__in=theme_ids).values("grant_id"))
        | ~Q(pk__in=through.values("grant_id")),
    )
    if founded_year:
        years = today.year - founded_year
        queryset = queryset.filter(Q(min_years_active__isnull=True) | Q(min_years_active__lte=years))
    return list(queryset.order_by("closes_on", "id")[:FITTING_GRANTS_SHOWN])


def grants_managed_by(user) -> QuerySet:
    """Grants the person may edit: all for staff, their departments' for officials."""
    queryset = Grant.objects.select_related("department").order_by("-updated_at", "-id")
    if may(user, "info.manage_every_grant"):
        return queryset
    return queryset.filter(department__officials=user)


def saved_searches_of(user) -> list[SavedSearch]:
    return list(SavedSearch.objects.filter(user=user).order_by("created_at", "id"))


def figures_for_fiscal_year(fiscal_year: int) -> dict[str, int]:
    """情報集約・発信 figures of one fiscal year, for the reports (which own the labels):
    subscribers, issues_sent, flyers_displayed, grants_posted, saved_searches, alert_items_sent."""
    start = dt.date(fiscal_year, 4, 1)
    end = dt.date(fiscal_year + 1, 4, 1)
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    from info.models import Flyer, FlyerStatus, IssueStatus, NewsletterIssue, Subscriber

    return {
        # Confirmed before the year ended and not unsubscribed by then.
        "subscribers": Subscriber.objects.filter(confirmed_at__lt=end_at)
        .filter(Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__gte=end_at))
        .count(),
        "issues_sent": NewsletterIssue.objects.filter(
            status=IssueStatus.SENT, sent_at__gte=start_at, sent_at__lt=end_at
        ).count(),
        # Approved flyers whose display period overlaps the year.
        "flyers_displayed": Flyer.objects.filter(
            status=FlyerStatus.APPROVED, display_from__lt=end, display_until__gte=start
        ).count(),
        "grants_posted": Grant.objects.published()
        .filter(published_at__gte=start_at, published_at__lt=end_at)
        .count(),
        "saved_searches": SavedSearch.objects.filter(created_at__lt=end_at, is_active=True).count(),
        "alert_items_sent": AlertDelivery.objects.filter(sent_at__gte=start_at, sent_at__lt=end_at).count(),
    }


def fiscal_year_now() -> int:
    return fiscal_year_of(timezone.localdate())


# How many flyers the home page shows (the rack shows them all).
HOME_FLYERS = 4


def flyers_on_display(*, limit: int | None = None, group=None, today: dt.date | None = None) -> list:
    from info.models import Flyer

    today = today or timezone.localdate()
    queryset = Flyer.objects.on_display(today).order_by("display_until", "id")
    if group is None:
        queryset = queryset.select_related("group")
    else:
        # One group's page: it has the group already, no join with its every column.
        queryset = queryset.filter(group=group)
    flyers = list(queryset[:limit] if limit else queryset)
    if group is not None:
        for flyer in flyers:
            flyer.group = group
    return flyers


def flyers_pending() -> list:
    from info.models import Flyer, FlyerStatus

    return list(Flyer.objects.filter(status=FlyerStatus.PENDING).select_related("group", "uploaded_by"))


def flyers_of_groups(groups) -> list:
    from info.models import Flyer

    return list(Flyer.objects.filter(group__in=groups).select_related("group").order_by("-created_at")[:20])
