import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Theme
from groups import services
from groups.models import Group, GroupInvitation, GroupMembership, GroupRenewal, GroupStatus, LegalForm
from groups.selectors import group_history
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "みらい子ども食堂ネットワーク",
    "name_kana": "みらいこどもしょくどうねっとわーく",
    "legal_form": LegalForm.VOLUNTARY,
    "purpose": "子どもの居場所づくり",
    "email": "kodomo@example.jp",
}


@pytest.fixture(autouse=True)
def _mail_on_commit(monkeypatch):
    """E-mails are queued with transaction.on_commit; in these tests (one transaction) send at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def theme():
    return Theme.objects.get(short_name="子どもの健全育成")


def test_a_draft_may_be_incomplete_and_makes_the_applicant_owner(owner):
    """A draft needs only a name; the applicant becomes its owner (代表編集者)."""
    group = services.group_create(owner=owner, fields={"name": "下書きの会"}, submit=False)
    assert group.status == GroupStatus.DRAFT
    assert GroupMembership.objects.get(group=group).role == GroupMembership.Role.OWNER
    assert group.memberships.get().user == owner


def test_submitting_needs_the_required_fields(owner, theme):
    """Submitting an incomplete application raises Japanese errors per field and saves nothing."""
    with pytest.raises(ValidationError) as exc:
        services.group_create(
            owner=owner, fields={"name": "未完成の会", "legal_form": LegalForm.NPO}, themes=[], submit=True
        )
    errors = exc.value.message_dict
    assert "ふりがな" in errors["name_kana"][0]
    assert "法人番号" in errors["corporate_number"][0]
    assert "活動分野" in errors["themes"][0]
    assert not Group.objects.exists()


def test_a_corporation_with_a_wrong_check_digit_is_refused(owner, theme):
    fields = {**FIELDS, "legal_form": LegalForm.NPO, "corporate_number": "7000012050003"}
    with pytest.raises(ValidationError) as exc:
        services.group_create(owner=owner, fields=fields, themes=[theme], submit=True)
    assert "確認用の数字" in exc.value.message_dict["corporate_number"][0]


@time_machine.travel(dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC))
def test_apply_then_approve_gives_the_fiscal_year_number_and_emails(owner, staff_user, theme):
    """Approval: status 登録, number R7-0001 then R7-0002, today's date, e-mails to the applicant."""
    group = services.group_create(owner=owner, fields=FIELDS, themes=[theme], submit=True)
    assert group.status == GroupStatus.PENDING
    assert mail.outbox[-1].to == [owner.email]
    assert "受け付けました" in mail.outbox[-1].subject
    approved = services.group_approve(group=group, staff=staff_user)
    assert approved.status == GroupStatus.APPROVED
    assert approved.registration_number == "R7-0001"
    assert approved.registered_on == dt.date(2025, 6, 1)
    assert approved.last_renewed_fiscal_year == 2025
    assert "R7-0001" in mail.outbox[-1].subject and mail.outbox[-1].to == [owner.email]
    assert "R7-0001" in mail.outbox[-1].body
    second = services.group_create(
        owner=owner, fields={**FIELDS, "name": "二番目の会"}, themes=[theme], submit=True
    )
    assert services.group_approve(group=second, staff=staff_user).registration_number == "R7-0002"


def test_numbers_restart_each_fiscal_year(owner, staff_user, theme):
    """31 March is still R6; 1 April starts R7 at 0001."""
    numbers = []
    for when in (dt.datetime(2025, 3, 31, 3, tzinfo=dt.UTC), dt.datetime(2025, 4, 1, 3, tzinfo=dt.UTC)):
        with time_machine.travel(when):
            group = services.group_create(
                owner=owner, fields={**FIELDS, "name": str(when)}, themes=[theme], submit=True
            )
            numbers.append(services.group_approve(group=group, staff=staff_user).registration_number)
    assert numbers == ["R6-0001", "R7-0001"]


@time_machine.travel(dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC))
def test_the_counter_starts_above_numbers_already_in_use(owner, staff_user, theme):
    """Groups imported with R7-0041 push the next number to R7-0042."""
    GroupFactory(registration_number="R7-0041", registered_on=dt.date(2025, 4, 10))
    group = services.group_create(owner=owner, fields=FIELDS, themes=[theme], submit=True)
    assert services.group_approve(group=group, staff=staff_user).registration_number == "R7-0042"


def test_only_pending_groups_can_be_approved_or_returned(staff_user, group):
    with pytest.raises(ValidationError):
        services.group_approve(group=group, staff=staff_user)
    with pytest.raises(ValidationError):
        services.group_return(group=group, staff=staff_user, reason="理由")


def test_non_staff_cannot_approve(owner, group_factory):
    group = group_factory(pending=True, owner=owner)
    with pytest.raises(PermissionDenied):
        services.group_approve(group=group, staff=owner)


def test_return_needs_a_reason_and_emails_it(owner, staff_user, group_factory):
    group = group_factory(pending=True, owner=owner)
    with pytest.raises(ValidationError) as exc:
        services.group_return(group=group, staff=staff_user, reason="  ")
    assert "理由" in exc.value.message_dict["reason"][0]
    services.group_return(group=group, staff=staff_user, reason="活動内容を具体的に書いてください。")
    group.refresh_from_db()
    assert group.status == GroupStatus.RETURNED
    assert "活動内容を具体的に書いてください。" in mail.outbox[-1].body
    assert mail.outbox[-1].to == [owner.email]
    # The applicant fixes it and submits again.
    services.group_submit(group=group, user=owner)
    group.refresh_from_db()
    assert group.status == GroupStatus.PENDING


def test_owner_edit_of_an_approved_group_goes_live_and_is_in_the_history(owner, group, theme):
    """The edit is saved at once (no new review) and the history says who changed what."""
    other_theme = Theme.objects.get(short_name="まちづくり")
    services.group_update(
        group=group, user=owner, fields={"purpose": "新しい目的"}, themes=[theme, other_theme]
    )
    group.refresh_from_db()
    assert group.status == GroupStatus.APPROVED and group.purpose == "新しい目的"
    entry = group_history(group)[0]
    assert entry.who == str(owner)
    changes = {c.label: (c.old, c.new) for c in entry.changes}
    assert changes["活動の目的"] == ("地域の子どもたちの居場所をつくります。", "新しい目的")
    assert "まちづくり" in changes["活動分野"][1] and "まちづくり" not in changes["活動分野"][0]


def test_pending_and_withdrawn_groups_cannot_be_edited(owner, group_factory):
    for trait in ("pending", "withdrawn"):
        group = group_factory(owner=owner, **{trait: True})
        with pytest.raises(ValidationError):
            services.group_update(group=group, user=owner, fields={"purpose": "x"})


def test_pause_resume_withdraw(owner, editor, group):
    """Owners pause and resume; a co-editor may not; withdrawn is final."""
    with pytest.raises(PermissionDenied):
        services.group_change_status(group=group, user=editor, action="pause")
    services.group_change_status(group=group, user=owner, action="pause", reason="休みます")
    group.refresh_from_db()
    assert group.status == GroupStatus.PAUSED and not Group.objects.public().filter(pk=group.pk).exists()
    services.group_change_status(group=group, user=owner, action="resume")
    services.group_change_status(group=group, user=owner, action="withdraw")
    group.refresh_from_db()
    assert group.status == GroupStatus.WITHDRAWN
    with pytest.raises(PermissionDenied):
        services.group_change_status(group=group, user=owner, action="resume")


@time_machine.travel(dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC))
def test_renewal_is_recorded_once_per_fiscal_year(editor, group):
    services.group_renew(group=group, user=editor)
    services.group_renew(group=group, user=editor)
    group.refresh_from_db()
    assert group.last_renewed_fiscal_year == 2026
    assert GroupRenewal.objects.filter(group=group, fiscal_year=2026).count() == 1


def test_invitation_by_email_makes_a_co_editor(owner, group, make_user, editor):
    """The owner invites; the e-mail has a link; accepting it makes the person an editor, once."""
    invitation = services.invitation_create(group=group, email="New@Example.jp", invited_by=owner)
    assert mail.outbox[-1].to == ["new@example.jp"]
    assert f"/groups/invitations/{invitation.token}/" in mail.outbox[-1].body
    newcomer = make_user(email="new@example.jp")
    membership = services.invitation_accept(token=invitation.token, user=newcomer)
    assert membership.role == GroupMembership.Role.EDITOR
    with pytest.raises(ValidationError):
        services.invitation_accept(token=invitation.token, user=newcomer)
    with pytest.raises(PermissionDenied):
        services.invitation_create(group=group, email="x@example.jp", invited_by=editor)


def test_an_invitation_is_accepted_only_by_the_invited_address(owner, group, make_user, client_for):
    """A forwarded link does not make someone else an editor; a second verified address does."""
    from allauth.account.models import EmailAddress

    invitation = services.invitation_create(group=group, email="kana@example.jp", invited_by=owner)
    stranger = make_user(email="other@example.jp")
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(token=invitation.token, user=stranger)
    assert "kana@example.jp あて" in exc.value.messages[0]
    assert not group.memberships.filter(user=stranger).exists()

    url = f"/groups/invitations/{invitation.token}/"
    page = client_for(stranger).get(url).content.decode()
    assert "kana@example.jp あてです" in page and "招待を承諾する" not in page
    client_for(stranger).post(url)
    assert not group.memberships.filter(user=stranger).exists()

    EmailAddress.objects.create(user=stranger, email="Kana@example.jp", verified=True)
    assert "招待を承諾する" in client_for(stranger).get(url).content.decode()
    membership = services.invitation_accept(token=invitation.token, user=stranger)
    assert membership.user == stranger and membership.group == group


def test_invitations_expire(owner, group, make_user):
    invitation = services.invitation_create(group=group, email="late@example.jp", invited_by=owner)
    GroupInvitation.objects.filter(pk=invitation.pk).update(
        created_at=invitation.created_at - dt.timedelta(days=15)
    )
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(token=invitation.token, user=make_user(email="late@example.jp"))
    assert "期限" in exc.value.messages[0]


def test_the_last_owner_cannot_be_removed(owner, group):
    with pytest.raises(ValidationError):
        services.membership_remove(membership=group.memberships.get(user=owner), user=owner)


def test_renewal_reminders_go_to_groups_not_renewed_and_not_twice(owner, group_factory):
    """The scheduled task e-mails groups that have not confirmed this year, once per 28 days."""
    from core.fiscal import current_fiscal_year
    from groups.tasks import send_renewal_reminders

    late = group_factory(owner=owner, last_renewed_fiscal_year=current_fiscal_year() - 1)
    group_factory(last_renewed_fiscal_year=current_fiscal_year())  # done: no reminder
    group_factory(paused=True, last_renewed_fiscal_year=current_fiscal_year() - 1)  # paused: no reminder
    assert send_renewal_reminders() == 1
    assert mail.outbox[-1].to == [owner.email]
    assert late.name in mail.outbox[-1].body
    assert send_renewal_reminders() == 0
    assert len(mail.outbox) == 1


def test_approving_a_group_with_no_editor_queues_no_mail_and_says_so(staff_user, owner):
    """An imported application has no editor: nothing is queued and the service says so."""
    orphan = GroupFactory(pending=True)
    assert services.group_approve(group=orphan, staff=staff_user).notified_by_email is False
    assert mail.outbox == []
    applied = GroupFactory(pending=True, owner=owner)
    assert services.group_approve(group=applied, staff=staff_user).notified_by_email is True
    assert mail.outbox[-1].to == [owner.email]


@pytest.mark.parametrize("reason", ["休止します\x00", "長" * 20_001])
def test_a_reason_is_checked_like_the_field_before_the_status_changes(
    owner, staff_user, group_factory, reason
):
    """休止・退会・差戻しの理由 follow the model's rule for status_reason (no NUL or other control
    characters, at most 20,000 characters): refused under the reason, nothing changed or sent.
    PostgreSQL refuses a NUL in text outright, so the save used to end in a server error."""
    approved = group_factory(owner=owner)
    pending = group_factory(pending=True, owner=owner)
    with pytest.raises(ValidationError) as exc:
        services.group_change_status(group=approved, user=owner, action="pause", reason=reason)
    assert list(exc.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError) as exc:
        services.group_return(group=pending, staff=staff_user, reason=reason)
    assert list(exc.value.message_dict) == ["reason"]
    approved.refresh_from_db()
    pending.refresh_from_db()
    assert (approved.status, approved.status_reason) == (GroupStatus.APPROVED, "")
    assert (pending.status, pending.status_reason) == (GroupStatus.PENDING, "")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("full_name", "named"),
    [("佐藤 陽子", "佐藤 陽子さんから"), ("", "団体の編集者から")],
    ids=["named", "unnamed"],
)
def test_an_invitation_names_who_invited_by_their_name_or_as_the_group_s_editor(
    owner, group, make_user, client_for, full_name, named
):
    """The newcomer reads who invited them: the name, or 「団体の編集者」 for an owner who has not
    given one, never the greeting 「ご利用者さん」 nor an e-mail address."""
    owner.full_name = full_name
    owner.save(update_fields=["full_name"])
    invitation = services.invitation_create(group=group, email="new@example.jp", invited_by=owner)
    page = client_for(make_user(email="new@example.jp")).get(f"/groups/invitations/{invitation.token}/")
    for text in (mail.outbox[-1].body, page.content.decode()):
        assert f"{named}、団体「{group.name}」の" in text
        assert "ご利用者" not in text and owner.email not in text
