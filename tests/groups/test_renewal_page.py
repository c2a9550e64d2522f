"""年次更新: once confirmed for this fiscal year, the page says so instead of asking again."""

import pytest
from django.urls import reverse

from core.fiscal import current_fiscal_year
from groups.models import GroupRenewal

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
