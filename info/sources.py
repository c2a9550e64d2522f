"""The lists whose filters can be saved, for the saved-search digests (see core.app_hooks.SearchSource).

The group directory, the events calendar and the grants list are read here (info may read groups
and events); the needs and offers lists come from matching's own hooks.
"""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict
from django.utils import timezone

from core.app_hooks import SearchSource, collect

# --- 団体をさがす -----------------------------------------------------------------------------------


def _new_groups(since: dt.datetime) -> dict[int, dt.datetime]:
    """Groups approved after `since`: the first history record in the approved state since then,
    for groups registered on or after that day (later edits of older groups are not new)."""
    from groups.models import Group, GroupStatus

    rows = (
        Group.history.filter(
            history_date__gt=since,
            status=GroupStatus.APPROVED,
            registered_on__gte=timezone.localdate(since),
        )
        .order_by("history_date")
        .values_list("id", "history_date")
    )
    first: dict[int, dt.datetime] = {}
    for pk, when in rows:
        first.setdefault(pk, when)
    public = set(Group.objects.public().filter(pk__in=list(first)).values_list("pk", flat=True))
    return {pk: when for pk, when in first.items() if pk in public}


def _groups_filterset(params: QueryDict):
    from groups.selectors import group_directory

    return group_directory(params=params)


def _describe_groups(ids) -> list[tuple[int, str, str]]:
    from groups.models import Group

    return [
        (g.pk, g.name, g.get_absolute_url())
        for g in Group.objects.filter(pk__in=list(ids)).order_by("sort_key")
    ]


# --- 催し ----------------------------------------------------------------------------------------


def _new_events(since: dt.datetime) -> dict[int, dt.datetime]:
    from events.models import Event

    return dict(Event.objects.filter(is_public=True, created_at__gt=since).values_list("pk", "created_at"))


def _events_filterset(params: QueryDict):
    from events.filters import EventFilter
    from events.selectors import public_events

    return EventFilter(params, queryset=public_events())


def _describe_events(ids) -> list[tuple[int, str, str]]:
    from events.models import Event

    return [
        (e.pk, e.title, e.get_absolute_url()) for e in Event.objects.filter(pk__in=list(ids)).order_by("pk")
    ]


# --- 助成金 ---------------------------------------------------------------------------------------


def _new_grants(since: dt.datetime) -> dict[int, dt.datetime]:
    from info.models import Grant

    return dict(Grant.objects.published().filter(published_at__gt=since).values_list("pk", "published_at"))


def _grants_filterset(params: QueryDict):
    from info.selectors import grant_list

    return grant_list(params=params)


def _describe_grants(ids) -> list[tuple[int, str, str]]:
    from info.models import Grant

    return [
        (g.pk, g.title, g.get_absolute_url()) for g in Grant.objects.filter(pk__in=list(ids)).order_by("pk")
    ]


def saved_search_sources() -> list[SearchSource]:
    from info.models import SearchKind

    return [
        SearchSource(
            SearchKind.GROUPS,
            str(SearchKind.GROUPS.label),
            "groups:index",
            _new_groups,
            _groups_filterset,
            _describe_groups,
        ),
        SearchSource(
            SearchKind.EVENTS,
            str(SearchKind.EVENTS.label),
            "events:index",
            _new_events,
            _events_filterset,
            _describe_events,
        ),
        SearchSource(
            SearchKind.GRANTS,
            str(SearchKind.GRANTS.label),
            "info:grant_list",
            _new_grants,
            _grants_filterset,
            _describe_grants,
        ),
    ]


def all_sources() -> dict[str, SearchSource]:
    """Every app's sources by kind (info's own and those of matching's hooks)."""
    return {source.kind: source for _app, hook in collect("saved_search_sources") for source in hook()}
