"""An invitation reaches a newcomer who signed up from its link: my page offers it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupInvitation
from groups.services import invitation_create
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db


def test_my_page_offers_the_invitations_sent_to_my_address_until_answered(client, make_user, owner, group):
    group.name = "みどりの風"
    group.save()
    other_group = GroupFactory(name="あおぞらの会")
    invitation = invitation_create(group=group, email="Newcomer@Example.jp", invited_by=owner)
    for email in ("someone-else@example.jp", "newcomer@example.jp"):
        expired = GroupInvitation.objects.create(group=other_group, email=email, invited_by=owner)
    GroupInvitation.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - dt.timedelta(days=GroupInvitation.VALID_DAYS + 1)
    )
    newcomer = make_user(email="newcomer@example.jp")
    client.force_login(newcomer)

    page = client.get(reverse("core:mypage")).content.decode()
    assert "「みどりの風」への招待を確認する" in page
    assert reverse("groups:invitation_accept", args=[invitation.token]) in page
    assert "あおぞらの会" not in page  # another person's, and an expired one

    client.post(reverse("groups:invitation_accept", args=[invitation.token]))
    page = client.get(reverse("core:mypage")).content.decode()
    assert "への招待を確認する" not in page and "みどりの風" in page
