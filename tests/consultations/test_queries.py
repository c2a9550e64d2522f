"""Every list and detail page runs a fixed number of queries, whatever the amount of data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import AccessAction

from .factories import ConsultationFactory, FollowUpFactory, GroupFactory, ReferralFactory, StaffFactory

pytestmark = pytest.mark.django_db


def build(size: int, group) -> list:
    records = []
    for i in range(size):
        consultation = ConsultationFactory(group=group if i % 2 else None, topics=["funding", "venue"])
        ReferralFactory(consultation=consultation)
        # Overdue and due today in turn: both lists of the follow-ups page have rows.
        FollowUpFactory(consultation=consultation, due_on=timezone.localdate() - dt.timedelta(days=i % 2))
        consultation.themes.set([1, 2])
        records.append(consultation)
    services.access_log_write(user=None, action=AccessAction.VIEW, consultations=records)
    # The access log's 利用者 choices are the people in the log, former staff too: read at once.
    for i in range(size // 5):
        former = StaffFactory(is_active=i % 2 == 0)
        services.access_log_write(user=former, action=AccessAction.VIEW, consultations=records[:1])
    return records


# Sign-in (session, the user with their role names, permissions), the page's own queries, and the
# access-log insert (without checking that the signed-in user exists).
PAGES = {
    # The filter form, the number of matching rows and the page's rows are kept after the warm-up
    # request (views._search_form, _row_count, _rows_and_table): the topic and staff choices,
    # COUNT(*), the rows and their topics are not read again.
    "list": (lambda ctx: reverse("consultations:index"), 5),
    "list_by_topic": (lambda ctx: reverse("consultations:index") + "?topic=3&channel=visit&page=2", 6),
    # A typed keyword is not kept: the form is rendered with its choices, the rows counted and
    # read (five queries more).
    "list_filtered": (lambda ctx: reverse("consultations:index") + "?q=助成金&topic=3&channel=visit", 11),
    "group_history": (lambda ctx: reverse("consultations:group_history", args=[ctx["group"].pk]), 9),
    # The two lists' counts (one query) and a page of each (20 rows at the most).
    "follow_ups": (lambda ctx: reverse("consultations:follow_ups"), 8),
    # The detail page's change history: its rows with their users, one query per many-to-many field
    # (topics, themes, related events and projects).
    "detail": (lambda ctx: reverse("consultations:detail", args=[ctx["records"][0].pk]), 23),
    # The counts are kept in the cache per version of the consultations after the warm-up request
    # (12 queries more when cold: selectors.statistics_figures).
    "statistics": (lambda ctx: reverse("consultations:statistics"), 4),
    # 利用者: the people in the log, then the names left by deleted accounts (one query each).
    "access_log": (lambda ctx: reverse("consultations:access_log"), 10),
    "admin_list": (lambda ctx: reverse("admin:consultations_consultation_changelist"), 12),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("size", [3, 25])
def test_query_count_does_not_grow_with_the_data(
    page, size, client_for, make_user, django_assert_num_queries
):
    """The same number of queries with 3 and with 25 consultations (more than one page)."""
    from consultations.apps import CONSULTATION_AUDITOR_ROLE
    from core.roles import Role

    user = make_user(roles=(Role.STAFF, CONSULTATION_AUDITOR_ROLE), email="q@example.jp")
    group = GroupFactory()
    records = build(size, group)
    client = client_for(user)
    url_for, expected = PAGES[page]
    url = url_for({"group": group, "records": records})
    client.get(url)  # warm caches (content types, sessions)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
