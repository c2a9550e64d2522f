"""Writes: business approval, needs and offers, and the match state machine with its e-mails."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from matching import services
from matching.models import BusinessStatus, ExchangeKind, Match, MatchStatus, ProBonoDeliverable
from tests.matching.factories import (
    BusinessFactory,
    DepartmentFactory,
    GroupFactory,
    NeedFactory,
    OfferFactory,
)

pytestmark = pytest.mark.django_db

ALL = list(MatchStatus.values)
ALLOWED = {
    ("proposed", "introduced"),
    ("proposed", "declined"),
    ("introduced", "negotiating"),
    ("introduced", "declined"),
    ("negotiating", "concluded"),
    ("negotiating", "declined"),
}
PATH_TO = {
    "proposed": [],
    "introduced": ["introduced"],
    "negotiating": ["introduced", "negotiating"],
    "concluded": ["introduced", "negotiating", "concluded"],
    "declined": ["declined"],
}


@pytest.fixture
def match(group, design_company, staff_user):
    need = NeedFactory(group=group, title="チラシ制作")
    offer = OfferFactory(business=design_company, title="チラシ制作/デザイン")
    return services.match_create(
        party_a=group, party_b=design_company, created_by=staff_user, need=need, offer=offer
    )


def move(match, statuses, by):
    for status in statuses:
        match = services.match_transition(match=match, to_status=status, by=by, notify=False)
    return match


def test_business_create_waits_for_approval_and_approval_lets_it_be_suggested(member, kodomo):
    """A new business is pending with its creator as member; business_approve approves it."""
    business = services.business_create(
        created_by=member, name="新しい会社", name_kana="あたらしいかいしゃ", themes=[kodomo]
    )
    assert business.status == BusinessStatus.PENDING
    assert list(business.members.all()) == [member]
    services.business_approve(business=business)
    business.refresh_from_db()
    assert business.status == BusinessStatus.APPROVED


def test_a_deliverable_needs_the_pro_bono_kind(group):
    """Choosing a deliverable for a venue need is refused with a Japanese message."""
    with pytest.raises(ValidationError) as excinfo:
        services.need_create(
            party=group, title="会場", kind=ExchangeKind.VENUE, deliverable=ProBonoDeliverable.FLYER
        )
    assert "プロボノ" in str(excinfo.value)


def test_match_create_scores_and_records_the_proposal(match, staff_user):
    """A new match is 提案 with the score, the reasons and a first history entry by its creator."""
    assert match.status == MatchStatus.PROPOSED
    assert match.reasons[0] == "ニーズ「チラシ制作」↔ 提供「チラシ制作/デザイン」"
    assert match.score > 0
    (entry,) = match.history.all()
    assert (entry.from_status, entry.to_status, entry.changed_by) == ("", MatchStatus.PROPOSED, staff_user)


def test_two_matches_in_progress_between_the_same_parties_are_refused(
    match, group, design_company, staff_user
):
    """While a match is in progress, the same two parties cannot be matched again (in either order)."""
    with pytest.raises(ValidationError):
        services.match_create(party_a=design_company, party_b=group, created_by=staff_user)


def test_a_party_cannot_be_matched_with_itself(group, staff_user):
    with pytest.raises(ValidationError):
        services.match_create(party_a=group, party_b=group, created_by=staff_user)


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ALL)
def test_only_the_allowed_transitions_happen(start, target, match, staff_user):
    """提案 → 紹介済 → 協議中 → 成立, and 不成立 from any open state; everything else is refused unchanged."""
    match = move(match, PATH_TO[start], staff_user)
    before = match.history.count()
    if (start, target) in ALLOWED:
        match = services.match_transition(match=match, to_status=target, by=staff_user, notify=False)
        assert match.status == target
        last = match.history.last()
        assert (last.from_status, last.to_status, last.changed_by) == (start, target, staff_user)
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.match_transition(match=match, to_status=target, by=staff_user, notify=False)
        assert "へは変更できません" in str(excinfo.value)
        match.refresh_from_db()
        assert match.status == start
        assert match.history.count() == before


def test_introducing_emails_both_parties(
    match, staff_user, editor, business_member, django_capture_on_commit_callbacks
):
    """紹介 sends one Japanese e-mail to each party (contact address and members), with the note."""
    with django_capture_on_commit_callbacks(execute=True):
        services.match_introduce(match=match, by=staff_user, note="チラシの件でぜひお話しください。")
    assert len(mail.outbox) == 2
    to_group, to_business = mail.outbox
    assert set(to_group.to) == {match.group_a.email, editor.email}
    assert set(to_business.to) == {match.business_b.email, business_member.email}
    assert "「みらいデザイン工房」をご紹介します" in to_group.subject
    assert to_group.subject.startswith("[みらい市 市民協働支援センター]")
    assert to_group.reply_to == ["center@example.jp"]
    assert "チラシの件でぜひお話しください。" in to_group.body
    assert "ニーズ「チラシ制作」↔ 提供「チラシ制作/デザイン」" in to_business.body
    match.refresh_from_db()
    assert match.mail_sent_at is not None and match.mail_error == ""


def introduce_to_a_group_without_an_address(match, staff_user, capture):
    """紹介 while the group has no address at all: the mail fails and the error is kept."""
    group = match.group_a
    group.email = ""
    group.save()
    group.memberships.all().delete()
    with capture(execute=True):
        services.match_introduce(match=match, by=staff_user)
    return group


def test_a_failed_email_is_recorded_and_can_be_sent_again(
    match, staff_user, django_capture_on_commit_callbacks
):
    """A party without any address: the error is kept on the match; after fixing it, resending works."""
    group = introduce_to_a_group_without_an_address(match, staff_user, django_capture_on_commit_callbacks)
    match.refresh_from_db()
    assert match.mail_sent_at is None
    assert "メールアドレスがありません" in match.mail_error
    group.email = "fixed@example.jp"
    group.save()
    match = services.match_send_introduction_mail(match=match)
    assert match.mail_sent_at is not None and match.mail_error == ""


def test_resending_the_introduction_checks_again_that_both_still_take_part(
    match, staff_user, editor, business_member, client_for, django_capture_on_commit_callbacks
):
    """The introduction mail failed (no address); by the time staff resend it the group has left
    the center: nothing is sent, the page says why in Japanese. A closed account of the other
    party is never among the addresses either."""
    group = introduce_to_a_group_without_an_address(match, staff_user, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    group.email = "fixed@example.jp"
    group.save()
    GroupFactory._meta.model.objects.filter(pk=group.pk).update(status="withdrawn")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_user).post(reverse("matching:match_resend", args=[match.pk]), follow=True)

    assert mail.outbox == []
    assert "は「退会」のため、マッチング・紹介はできません。" in response.content.decode()
    match.refresh_from_db()
    assert match.mail_sent_at is None

    GroupFactory._meta.model.objects.filter(pk=group.pk).update(status="approved")
    business_member.is_active = False
    business_member.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_send_introduction_mail(match=match)
    to_group, to_business = mail.outbox
    assert to_group.to == ["fixed@example.jp"]
    assert to_business.to == [match.business_b.email]


def test_closing_a_need_keeps_it_but_stops_suggesting_it(group):
    need = NeedFactory(group=group)
    services.item_set_open(item=need, is_open=False)
    need.refresh_from_db()
    assert need.is_open is False


def test_the_match_side_can_be_any_kind_of_party(staff_user, kodomo):
    """A department and a group can be matched too."""
    department = DepartmentFactory(themes=[kodomo])
    other = GroupFactory(themes=[kodomo])
    match = services.match_create(party_a=department, party_b=other, created_by=staff_user)
    assert match.party_a == department and match.party_b == other
    assert match.reasons == ["共通テーマ: 子どもの健全育成"]


@pytest.mark.parametrize(
    ("make_party", "words"),
    [
        (lambda: GroupFactory(withdrawn=True, name="やめた会"), "「やめた会」は「退会」のため"),
        (lambda: GroupFactory(paused=True, name="休む会"), "「休む会」は「休止」のため"),
        (lambda: BusinessFactory(pending=True, name="承認前商事"), "「承認前商事」は「承認待ち」のため"),
        (lambda: BusinessFactory(rejected=True, name="差戻し商事"), "「差戻し商事」は「差戻し」のため"),
        (lambda: DepartmentFactory(is_active=False, name="旧課"), "「旧課」は使われていない担当課のため"),
    ],
    ids=["withdrawn group", "paused group", "pending business", "rejected business", "unused department"],
)
def test_a_party_that_does_not_take_part_is_neither_matched_nor_emailed(
    make_party, words, group, staff_user, django_capture_on_commit_callbacks
):
    """Like the suggestions, a match is only between parties that take part: staff cannot match or
    introduce a group that left or paused, a business not (yet) approved, or a department no
    longer in use (its page is hidden, and it must not be e-mailed about a partner)."""
    other = make_party()
    for party_a, party_b in ((group, other), (other, group)):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as excinfo:
            services.match_create(party_a=party_a, party_b=party_b, created_by=staff_user)
        assert words in str(excinfo.value)
    assert not Match.objects.exists()
    assert mail.outbox == []


def test_a_proposal_whose_party_has_left_since_is_not_introduced(
    match, staff_user, django_capture_on_commit_callbacks
):
    """A match proposed while both took part is not introduced (no e-mail) once the group has left;
    it can still be closed as 不成立."""
    GroupFactory._meta.model.objects.filter(pk=match.group_a_id).update(status="withdrawn")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as excinfo:
        services.match_introduce(match=match, by=staff_user, note="ぜひ")
    assert "は「退会」のため、マッチング・紹介はできません。" in str(excinfo.value)
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED and match.mail_sent_at is None
    assert mail.outbox == []
    services.match_transition(match=match, to_status=MatchStatus.DECLINED, by=staff_user)
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED


def test_a_closed_account_is_not_emailed_about_an_introduction(
    match, staff_user, editor, business_member, django_capture_on_commit_callbacks
):
    """A member whose account was closed (is_active False) no longer hears about introductions;
    the party's contact address still does."""
    for account in (editor, business_member):
        account.is_active = False
        account.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        services.match_introduce(match=match, by=staff_user, note="ぜひ")
    to_group, to_business = mail.outbox
    assert to_group.to == [match.group_a.email]
    assert to_business.to == [match.business_b.email]
