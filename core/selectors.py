"""Reads for the shared pages."""

import json
import re

from django.conf import settings
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace

from core.app_hooks import collect
from core.models import Person
from core.text import phone_number, search_key


def home_context() -> dict:
    """The home page's sections, from the apps (hook "home_context": upcoming events, new groups)."""
    context = {"upcoming_events": [], "new_groups": []}
    for _app_label, contribute in collect("home_context"):
        context.update(contribute())
    return context


def accessibility_report() -> dict:
    """The last automated accessibility run, written by the browser tests in CI."""
    path = settings.A11Y_RESULTS_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    return {"axe_report": data}


def outbox_list(*, status: str = ""):
    """The outbox, newest first; the failed ones first of all (they need someone)."""
    from django.db.models import Case, IntegerField, Value, When

    from core.models import OutboxMessage

    messages = OutboxMessage.objects.select_related("content_type").defer("attachments", "headers")
    if status:
        messages = messages.filter(status=status)
    return messages.annotate(
        failed_first=Case(
            When(status=OutboxMessage.Status.FAILED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("failed_first", "-created_at", "-id")


def outbox_status_counts() -> list[tuple[str, str, int]]:
    """(status, label, how many) for the filter links."""
    from django.db.models import Count

    from core.models import OutboxMessage

    counts = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in OutboxMessage.Status.choices]


def strong_authentication_accounts():
    """Active accounts that must confirm their TOTP enrolment (core/mfa.py), by name, with
    `has_totp`, `last_link_at` and `last_link_used_at` annotated and their roles prefetched.
    The query count does not grow with the number of accounts."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group as RoleGroup
    from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery

    from core.models import MfaEnrolmentLink, User
    from core.roles import declared_roles

    last_link = MfaEnrolmentLink.objects.filter(user=OuterRef("pk")).order_by("-created_at", "-id")
    holders = Q(is_superuser=True) | Q(is_staff=True) | Q(groups__name__in=declared_roles())
    ids = User.objects.filter(holders, is_active=True).values("pk")
    return (
        User.objects.filter(pk__in=ids)
        .annotate(
            has_totp=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
            last_link_at=Subquery(last_link.values("created_at")[:1]),
            last_link_used_at=Subquery(last_link.values("used_at")[:1]),
        )
        .prefetch_related(Prefetch("groups", queryset=RoleGroup.objects.order_by("name")))
        .order_by("has_totp", "full_name_kana", "email")
    )


def staff_menu_sections(links: list) -> list[dict]:
    """The staff menu's links under the headings of STAFF_SECTIONS, in that order (a link naming no
    known section goes under 報告・設定); headings without links are left out."""
    from core.app_hooks import STAFF_SECTIONS

    by_section: dict[str, list] = {key: [] for key in STAFF_SECTIONS}
    for link in links:
        by_section[link.section if link.section in by_section else "settings"].append(link)
    return [
        {"key": key, "title": STAFF_SECTIONS[key], "links": section_links}
        for key, section_links in by_section.items()
        if section_links
    ]


def staff_today_context(items: list) -> dict:
    """今日の対応: the items with something waiting, most urgent first (the apps' order within)."""
    from core.app_hooks import Urgency

    rank = {urgency: index for index, urgency in enumerate(Urgency.ORDER)}
    waiting = sorted(
        (item for item in items if item.count), key=lambda item: rank.get(item.urgency, len(rank))
    )
    return {
        "items": waiting,
        "urgent_count": sum(1 for item in waiting if item.urgency == Urgency.URGENT),
    }


# --- People (core.models.Person) found by staff --------------------------------------------------


def phone_digits_typed(query: str) -> str:
    """The digits of a keyword that is a phone number or part of one, however typed (hyphens,
    brackets, full width: 「０９０－１２３４」 → '0901234'), or "" when the keyword is not one."""
    typed = phone_number(query)
    return typed.replace("-", "") if re.fullmatch(r"[\d-]*\d[\d-]*", typed) else ""


def people_matching(query: str, *, words: Q | None = None) -> QuerySet[Person]:
    """Unmerged people a staff search finds: the name, reading or e-mail address containing the
    keyword however it was typed (search_text; `words`, a keyword_search condition, when the
    caller has one with synonyms), or, for a keyword of digits, the phone number containing those
    digits whatever the hyphens on either side: a number heard on the phone 「09012345678」 or
    typed 「０９０－１２３４」 finds 090-1234-5678. A keyword with nothing to search (「・・」,
    「-」) finds nobody, never everybody."""
    match = Q()
    if words is not None:
        match |= words
    elif key := search_key(query):
        match |= Q(search_text__contains=key)
    if digits := phone_digits_typed(query):
        match |= Q(phone_digits__contains=digits)
    if not match:
        return Person.objects.none()
    return (
        Person.objects.filter(merged_into__isnull=True)
        .annotate(phone_digits=Replace("phone", Value("-"), Value("")))
        .filter(match)
    )
