"""年次更新: once confirmed for this fiscal year, the page says so instead of asking again."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core.fiscal import current_fiscal_year
from groups.models import GroupRenewal
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db


def test_the_renewal_page_says_when_this_year_is_already_confirmed(client, owner, group):
    client.force_login(owner)
    url = reverse("groups:renew", args=[group.pk])
    page = client.get(url).content.decode()
    assert "この内容で更新を確認する" in page and "確認済み" not in page
    response = client.post(url)
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "この内容で更新を確認する" not in page
    assert "更新は、" in page and f"{owner.full_name}さんが確認済みです" in page
    # The back button or a second tab posts again: one renewal, and it says so.
    client.post(url)
    messages = [str(m) for m in client.get(reverse("groups:manage", args=[group.pk])).context["messages"]]
    assert any("更新は確認済みです" in m for m in messages)
    assert GroupRenewal.objects.filter(group=group, fiscal_year=current_fiscal_year()).count() == 1


@time_machine.travel(dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC))  # 1 April 2026, 0:30 in Japan
def test_my_page_offers_the_renewal_to_every_group_that_has_not_confirmed_this_year(client, owner):
    """The first night of 令和8年度 (UTC still says March): マイページ offers 「令和8年度の更新をする」
    for a group last confirmed in 令和7年度 and for one never confirmed (imported before the
    renewal was recorded), as its management page does; not for one that confirmed 令和8年度."""
    last_year = GroupFactory(owner=owner, name="昨年度の会", last_renewed_fiscal_year=2025)
    never = GroupFactory(owner=owner, name="未確認の会", last_renewed_fiscal_year=None)
    done = GroupFactory(owner=owner, name="確認済みの会", last_renewed_fiscal_year=2026)
    client.force_login(owner)
    page = client.get(reverse("core:mypage")).content.decode()
    for group in (last_year, never):
        assert reverse("groups:renew", args=[group.pk]) in page
        assert client.get(reverse("groups:manage", args=[group.pk])).context["needs_renewal"]
    assert reverse("groups:renew", args=[done.pk]) not in page
    assert "令和8年度の更新をする" in page
