"""Business approval and return: e-mails like a group's, and a reason the business sees."""

import pytest
from django.urls import reverse

from core.models import OutboxMessage
from matching.models import Business, BusinessStatus
from tests.matching.factories import BusinessFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_business(member):
    business = BusinessFactory(pending=True, name="あおば工務店", email="aoba@example.jp")
    business.members.add(member)
    return business


def test_approval_emails_the_business_and_its_members(client, staff_user, member, pending_business):
    client.force_login(staff_user)
    client.post(
        reverse("matching:staff_business_decide", args=[pending_business.pk]), {"decision": "approve"}
    )
    pending_business.refresh_from_db()
    assert pending_business.status == BusinessStatus.APPROVED
    message = OutboxMessage.objects.get(kind="matching.business_approved")
    assert message.to == ["aoba@example.jp", member.email]
    assert "承認しました" in message.subject and "あおば工務店" in message.body
    assert f"/matching/businesses/{pending_business.pk}/" in message.body or "http" in message.body


def test_return_needs_a_reason_and_keeps_what_was_typed(client, staff_user, pending_business):
    client.force_login(staff_user)
    url = reverse("matching:staff_business_decide", args=[pending_business.pk])
    response = client.post(url, {"decision": "return", "reason": "   "})
    assert response.status_code == 400
    assert "差し戻す理由を入力してください。" in response.content.decode()
    pending_business.refresh_from_db()
    assert pending_business.status == BusinessStatus.PENDING and not OutboxMessage.objects.exists()


def test_return_tells_the_reason_by_mail_and_on_the_business_page(
    client, staff_user, member, pending_business
):
    client.force_login(staff_user)
    reason = "事業内容を、提供できることがわかるように書いてください。"
    client.post(
        reverse("matching:staff_business_decide", args=[pending_business.pk]),
        {"decision": "return", "reason": reason},
    )
    pending_business.refresh_from_db()
    assert pending_business.status == BusinessStatus.REJECTED and pending_business.status_reason == reason
    message = OutboxMessage.objects.get(kind="matching.business_returned")
    assert reason in message.body and "差戻し" in message.subject
    client.force_login(member)
    page = client.get(pending_business.get_absolute_url()).content.decode()
    assert reason in page
    # Corrected by the business: back to the staff queue.
    client.post(
        reverse("matching:business_edit", args=[pending_business.pk]),
        {"name": "あおば工務店", "name_kana": "あおばこうむてん", "description": "チラシの印刷ができます。"},
    )
    assert Business.objects.get(pk=pending_business.pk).status == BusinessStatus.PENDING
