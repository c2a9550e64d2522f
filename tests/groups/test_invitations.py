"""An invitation reaches a newcomer who signed up from its link: my page offers it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import GroupInvitation, GroupMembership
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


def test_a_group_that_withdraws_takes_its_open_invitations_with_it(client, make_user, owner, group):
    """退会 cancels the invitations not yet answered: the invitee is no longer offered one on my
    page and cannot become an editor of the withdrawn group; an invitation left open by an older
    withdrawal is refused too, in words."""
    group.name = "おわりの会"
    group.save()
    invitation = invitation_create(group=group, email="late@example.jp", invited_by=owner)
    left_open = invitation_create(group=group, email="older@example.jp", invited_by=owner)
    services.group_change_status(group=group, user=owner, action="withdraw")
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    GroupInvitation.objects.filter(pk=left_open.pk).update(cancelled_at=None)  # before this rule

    for email, token in (("late@example.jp", invitation.token), ("older@example.jp", left_open.token)):
        client.force_login(make_user(email=email))
        assert "おわりの会" not in client.get(reverse("core:mypage")).content.decode()
        page = client.post(reverse("groups:invitation_accept", args=[token]), follow=True).content.decode()
        assert not GroupMembership.objects.filter(group=group, user__email=email).exists()
    assert "「おわりの会」は退会したため、この招待は使えません。" in page
