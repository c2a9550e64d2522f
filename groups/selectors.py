"""Reads for the group registry: a fixed number of queries whatever the number of groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fiscal import current_fiscal_year, fiscal_year_start
from core.history import HistoryEntry, history_entries
from core.models import Area, Theme
from core.search import synonym_sets
from core.text import KANA_ROWS, expand_synonyms
from groups.filters import GroupDirectoryFilter
from groups.models import (
    Group,
    GroupInvitation,
    GroupMembership,
    GroupRenewal,
    GroupStatus,
    RenewalReminder,
)

# The directory's cards show this many characters of a group's purpose.
DIRECTORY_PURPOSE_CHARS = 90


def group_directory(*, params) -> GroupDirectoryFilter:
    """The public directory: approved groups in あいうえお order, filtered by the query string."""
    queryset = (
        Group.objects.public()
        # What a card shows, and no more: the purpose only as far as the card cuts it.
        .only("pk", "name", "name_kana", "legal_form", "registration_number")
        .annotate(purpose_head=Substr("purpose", 1, DIRECTORY_PURPOSE_CHARS + 1))
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.only("pk", "name", "short_name")),
            Prefetch("areas", queryset=Area.objects.only("pk", "name")),
        )
        .order_by("sort_key", "id")
    )
    return GroupDirectoryFilter(params, queryset=queryset)


def filter_except(filterset: GroupDirectoryFilter, skip: str) -> QuerySet:
    """The filterset's queryset with every filter applied but one (already validated: no new queries)."""
    queryset = filterset.queryset
    for name, value in filterset.form.cleaned_data.items():
        if name != skip:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def kana_row_counts(queryset: QuerySet) -> dict[str, int]:
    """How many groups of the current search fall in each row (あ, か, ...): one query that also gives
    the total, so the page needs no separate COUNT."""
    rows = queryset.order_by().values_list("kana_row").annotate(n=Count("id"))
    return dict(rows)


KANA_ROW_NAMES = [row for row, _letters in KANA_ROWS] + ["その他"]  # data, not UI text


def group_for_page(*, pk: int) -> Group:
    """One group with what its page shows (themes, areas); raises Group.DoesNotExist."""
    # Not the search copies (search_text repeats the purpose and activities: refresh_derived_fields).
    return (
        Group.objects.defer("search_text", "name_key", "sort_key")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.only("pk", "name", "short_name")),
            Prefetch("areas", queryset=Area.objects.only("pk", "name")),
        )
        .get(pk=pk)
    )


def recently_registered_groups(limit: int = 6) -> QuerySet:
    """Approved groups, newest registration first (home page: name, legal form, date only)."""
    return (
        Group.objects.public()
        .exclude(registered_on=None)
        .only("pk", "name", "legal_form", "registered_on")
        .order_by("-registered_on", "-id")[:limit]
    )


def groups_of_user(user) -> QuerySet:
    """The groups a person edits (mypage), with their role."""
    if not user.is_authenticated:
        return Group.objects.none()
    return (
        Group.objects.filter(memberships__user=user)
        .annotate(my_role=Max("memberships__role", filter=Q(memberships__user=user)))
        .order_by("sort_key", "id")
    )


def renewal_of(group: Group, fiscal_year: int) -> GroupRenewal | None:
    """The group's 年次更新 of that fiscal year, with who confirmed it, or None."""
    return (
        GroupRenewal.objects.filter(group=group, fiscal_year=fiscal_year)
        .select_related("confirmed_by")
        .first()
    )


def open_invitations_for(user) -> list[GroupInvitation]:
    """Invitations to edit a group sent to the person's login address and not yet answered: my
    page offers them, since a newcomer who signed up from the invitation link and confirmed their
    address by mail comes back by the login page, without the link."""
    if not user.is_authenticated or not user.email:
        return []
    since = timezone.now() - timedelta(days=GroupInvitation.VALID_DAYS)
    return list(
        GroupInvitation.objects.filter(
            email__iexact=user.email, accepted_at=None, cancelled_at=None, created_at__gt=since
        )
        .exclude(group__status=GroupStatus.WITHDRAWN)
        .select_related("group")
        .order_by("-created_at")[:10]
    )


def groups_edited_by_people(people: QuerySet) -> QuerySet:
    """Groups that any of these people (core.Person) edits through their account."""
    return Group.objects.filter(memberships__user__person__in=people).distinct()


def groups_registered_since(*, fiscal_year: int) -> QuerySet:
    """Groups whose registration (登録日) is in the fiscal year or a later one."""
    return Group.objects.filter(registered_on__gte=fiscal_year_start(fiscal_year))


def group_members(group: Group) -> QuerySet:
    return GroupMembership.objects.filter(group=group).select_related("user").order_by("-role", "created_at")


def pending_invitations(group: Group) -> list[GroupInvitation]:
    invitations = GroupInvitation.objects.filter(
        group=group, accepted_at=None, cancelled_at=None
    ).select_related("invited_by")
    return [invitation for invitation in invitations if invitation.is_pending]


# --- staff -------------------------------------------------------------------------------------------


# The staff queue's order (and the admin's when it approves several): oldest 申請日時 first. A
# row without one (imported before the import gave its time) after those with one, on every
# database (SQLite would put it first, PostgreSQL last).
REVIEW_ORDER = (F("submitted_at").asc(nulls_last=True), "id")


def review_queue() -> QuerySet:
    """Applications waiting for staff, oldest first."""
    return (
        Group.objects.filter(status=GroupStatus.PENDING)
        .prefetch_related(
            "themes",
            "areas",
            Prefetch("memberships", queryset=GroupMembership.objects.select_related("user")),
        )
        .order_by(*REVIEW_ORDER)
    )


def pending_count() -> int:
    return Group.objects.filter(status=GroupStatus.PENDING).count()


def renewal_status(*, fiscal_year: int | None = None) -> QuerySet:
    """Approved (and paused) groups that have not confirmed their details this fiscal year."""
    fiscal_year = fiscal_year or current_fiscal_year()
    return (
        Group.objects.filter(status__in=[GroupStatus.APPROVED, GroupStatus.PAUSED])
        .filter(Q(last_renewed_fiscal_year__lt=fiscal_year) | Q(last_renewed_fiscal_year=None))
        .annotate(
            reminders=Count("renewal_reminders", filter=Q(renewal_reminders__fiscal_year=fiscal_year)),
            last_reminded_at=Max(
                "renewal_reminders__sent_at", filter=Q(renewal_reminders__fiscal_year=fiscal_year)
            ),
        )
        .order_by("sort_key", "id")
    )


def renewal_counts(*, fiscal_year: int | None = None) -> dict[str, int]:
    fiscal_year = fiscal_year or current_fiscal_year()
    return Group.objects.filter(status__in=[GroupStatus.APPROVED, GroupStatus.PAUSED]).aggregate(
        total=Count("id"),
        renewed=Count("id", filter=Q(last_renewed_fiscal_year__gte=fiscal_year)),
    )


def groups_needing_renewal_reminder(*, interval: timedelta, fiscal_year: int | None = None) -> QuerySet:
    fiscal_year = fiscal_year or current_fiscal_year()
    recently = RenewalReminder.objects.filter(fiscal_year=fiscal_year, sent_at__gte=timezone.now() - interval)
    return (
        Group.objects.filter(status=GroupStatus.APPROVED)
        .filter(Q(last_renewed_fiscal_year__lt=fiscal_year) | Q(last_renewed_fiscal_year=None))
        .exclude(pk__in=recently.values("group_id"))
        .order_by("pk")
    )


def group_history(group: Group) -> list[HistoryEntry]:
    """Every recorded change of a group, newest first: who, when, and each field's old and new
    value (core.history, the one history of every record)."""
    return history_entries(group)


def recent_changes(*, limit: int = 50) -> QuerySet:
    """Recent changes to approved groups by their own editors (not staff), for staff to review."""
    return (
        Group.history.filter(history_type="~", status=GroupStatus.APPROVED)
        .exclude(history_user__is_staff=True)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )


@dataclass(frozen=True)
class PossibleDuplicate:
    group: Group
    reason: str


def possible_duplicates(group: Group, *, limit: int = 5) -> list[PossibleDuplicate]:
    """Other groups with the same 法人番号 or the same name without 法人格 and spaces
    (core.text.name_key), in any spelling of the search synonyms (こども食堂 = 子ども食堂): an
    application or import that may be a group already registered. For staff: the applicant is
    only told that there may be one (see groups/manage.html)."""
    condition = Q(pk__in=[])
    if group.name_key:
        (spellings,) = expand_synonyms([group.name_key], synonym_sets())
        condition = Q(name_key__in=spellings.variants)
    if group.corporate_number:
        condition |= Q(corporate_number=group.corporate_number)
    others = (
        Group.objects.filter(condition)
        .exclude(pk=group.pk)
        .exclude(status=GroupStatus.DRAFT)
        .only("pk", "name", "status", "registration_number", "corporate_number", "name_key")
        .order_by("pk")[:limit]
    )
    found = []
    for other in others:
        same_number = bool(group.corporate_number) and other.corporate_number == group.corporate_number
        reason = _("法人番号が同じ") if same_number else _("団体名が同じ（法人格・空白を除く）")
        found.append(PossibleDuplicate(other, reason))
    return found
