"""Staff post and edit needs and offers for any party that asks them to, and the record says so."""

import pytest
from django.urls import reverse

from matching.models import Need, Offer, PartyRef
from tests.matching.factories import BusinessFactory, NeedFactory

pytestmark = pytest.mark.django_db


def test_staff_post_a_need_for_a_group_and_the_page_says_it_was_entered_for_them(
    client, post_item, staff_user, group, kodomo
):
    client.force_login(staff_user)
    key = PartyRef.of(group).key
    assert f"?party={key}" in client.get(group.get_absolute_url()).content.decode()
    form = client.get(reverse("matching:need_create"), {"party": key}).content.decode()
    assert group.name in form
    post_item("need", group, title="夏祭りのチラシ", kind="pro_bono", deliverable="flyer", themes=[kodomo.pk])
    need = Need.objects.get()
    assert need.group == group and need.entered_by == staff_user and need.entered_on_behalf
    page = client.get(reverse("matching:need_detail", args=[need.pk])).content.decode()
    assert "センター職員が代理で登録" in page


def test_staff_edit_a_business_offer_and_the_record_says_so(client, post_item, staff_user):
    business = BusinessFactory(name="あおば印刷")
    client.force_login(staff_user)
    post_item("offer", business, title="チラシ印刷", kind="pro_bono", deliverable="printed")
    offer = Offer.objects.get()
    client.post(
        reverse("matching:offer_edit", args=[offer.pk]),
        {"title": "チラシ・ポスター印刷", "kind": "pro_bono", "deliverable": "printed"},
    )
    offer.refresh_from_db()
    assert offer.title == "チラシ・ポスター印刷" and offer.entered_on_behalf and offer.updated_on_behalf
    assert (
        "センター職員が代理で更新"
        in client.get(reverse("matching:offer_detail", args=[offer.pk])).content.decode()
    )


def test_an_editor_posting_for_their_own_group_is_not_on_behalf(client, post_item, editor, group):
    client.force_login(editor)
    post_item("need", group, title="会場", kind="venue")
    need = Need.objects.get()
    assert need.entered_by == editor and not need.entered_on_behalf


def test_nobody_else_posts_for_a_party_by_naming_it(client, post_item, member, group):
    client.force_login(member)
    response = post_item("need", group, title="会場", kind="venue")
    assert not Need.objects.exists() and response.status_code in (200, 302)
    assert not NeedFactory._meta.model.objects.exists()


def test_a_concluded_match_asks_whether_to_close_the_need(client, staff_user, group, design_company):
    """成立 from the pipeline brings staff to the match, which asks to close the need still open."""
    from matching import services
    from matching.models import MatchStatus
    from tests.matching.factories import OfferFactory

    need = NeedFactory(group=group, title="夏祭りのチラシ", deliverable="flyer")
    offer = OfferFactory(business=design_company, title="チラシ制作", deliverable="flyer")
    match = services.match_create(
        party_a=group, party_b=design_company, created_by=staff_user, need=need, offer=offer
    )
    for status in ("introduced", "negotiating"):
        services.match_transition(match=match, to_status=status, by=staff_user, notify=False)
    client.force_login(staff_user)
    response = client.post(
        reverse("matching:match_transition", args=[match.pk]),
        {"to_status": MatchStatus.CONCLUDED, "next": reverse("matching:pipeline")},
    )
    assert response["Location"] == match.get_absolute_url()
    page = client.get(match.get_absolute_url()).content.decode()
    assert "ニーズの募集を終えますか？" in page and "夏祭りのチラシ" in page
    response = client.post(
        reverse("matching:need_close", args=[need.pk]), {"is_open": "0", "next": match.get_absolute_url()}
    )
    assert response["Location"] == match.get_absolute_url()
    need.refresh_from_db()
    assert not need.is_open
    assert "ニーズの募集を終えますか？" not in client.get(match.get_absolute_url()).content.decode()
