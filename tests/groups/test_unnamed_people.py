"""An editor whose account has no name yet is 「（氏名未登録）」 in the group's lists, as everywhere
(User.__str__): not the mail greeting 「ご利用者」, and never their e-mail address as the name."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nameless(make_user):
    return make_user(email="nameless@example.jp", full_name="", full_name_kana="")


def test_the_editors_table_names_a_nameless_editor_unnamed(client_for, owner, nameless):
    group = GroupFactory(owner=owner, editors=[nameless])
    page = client_for(owner).get(reverse("groups:manage", args=[group.pk])).content.decode()
    names = re.findall(r'<th scope="row">(.*?)</th>', page)
    assert "（氏名未登録）" in names and "代表 花子" in names
    assert "ご利用者" not in page


def test_staff_review_and_queue_name_a_nameless_applicant_unnamed(client_for, staff_user, nameless):
    group = GroupFactory(owner=nameless, pending=True)
    client = client_for(staff_user)
    review = client.get(reverse("groups:staff_review", args=[group.pk])).content.decode()
    assert "（氏名未登録）（nameless@example.jp、" in review
    queue = client.get(reverse("groups:staff_queue")).content.decode()
    assert "（氏名未登録）" in queue
    assert "ご利用者" not in review + queue


def test_the_status_mail_names_a_nameless_staff_member_unnamed(
    mailoutbox, django_capture_on_commit_callbacks, owner, make_user
):
    """The group reads who changed its status: 「（氏名未登録）」 for a staff account without a name,
    not the greeting 「ご利用者」 meant for the reader, and not the staff member's address."""
    from core.roles import Role
    from groups import services

    staff = make_user(roles=(Role.STAFF,), email="nameless-staff@example.jp", full_name="")
    group = GroupFactory(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.group_change_status(group=group, user=staff, action="pause", reason="長期の休止")
    body = mailoutbox[-1].body
    assert "手続きをした人: （氏名未登録）" in body
    assert "ご利用者" not in body and "nameless-staff@example.jp" not in body
