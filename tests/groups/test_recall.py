"""An applicant takes a pending application back (申請の取り下げ) to correct it, and submits again."""

import pytest
from django.urls import reverse

from groups.models import Group, GroupStatus
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db


def test_an_applicant_recalls_a_pending_application_corrects_it_and_submits_again(client, owner, editor):
    group = GroupFactory(pending=True, owner=owner, editors=[editor], name="申請中の会")
    client.force_login(editor)

    # Editing while staff review it: sent to the group's page with how to, not a 403.
    response = client.get(reverse("groups:edit", args=[group.pk]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("groups:manage", args=[group.pk])
    assert "確認中の申請は直せません" in page and "申請を取り下げて" in page

    confirm = client.get(reverse("groups:change_status", args=[group.pk, "recall"])).content.decode()
    assert "取り下げると申請は「下書き」に戻り" in confirm
    client.post(reverse("groups:change_status", args=[group.pk, "recall"]), {"reason": ""})
    group.refresh_from_db()
    assert group.status == GroupStatus.DRAFT
    assert client.get(reverse("groups:edit", args=[group.pk])).status_code == 200

    client.post(reverse("groups:submit", args=[group.pk]))
    assert Group.objects.get(pk=group.pk).status == GroupStatus.PENDING


def test_staff_and_strangers_cannot_recall_and_an_approved_group_has_nothing_to_recall(
    client_for, staff_user, make_user, owner, group
):
    pending = GroupFactory(pending=True, owner=owner)
    url = reverse("groups:change_status", args=[pending.pk, "recall"])
    assert client_for(staff_user).post(url).status_code == 403
    assert client_for(make_user(email="stranger@example.jp")).post(url).status_code == 404
    approved = reverse("groups:change_status", args=[group.pk, "recall"])
    assert client_for(owner).post(approved).status_code == 403
    assert Group.objects.get(pk=pending.pk).status == GroupStatus.PENDING
