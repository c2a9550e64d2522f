"""Pages of the group registry: public directory and group pages, the applicant's screens, staff pages."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import pagecache
from core.app_hooks import collect
from core.filters import valid_or_empty
from core.fiscal import current_fiscal_year
from core.net import client_ip
from core.pagecache import cache_for_anonymous
from core.permissions import may, permission_required, permitted, profile_required
from core.search import keyword_search
from core.shortcuts import paginate, refusal_as_message, refusals_on_form
from groups import csv_io, selectors, services
from groups.forms import ContactForm, GroupForm, ImportUploadForm, InvitationForm, ReasonForm, ReviewForm
from groups.models import Group, GroupAction, GroupInvitation, GroupMembership, GroupStatus

# Contact form limits (counted in Django's cache: Redis in production, shared by all workers).
CONTACT_LIMIT_PER_IP = (5, 60 * 60)  # 5 messages an hour from one address
CONTACT_LIMIT_PER_GROUP = (20, 24 * 60 * 60)  # 20 messages a day to one group


def _group_for(request: HttpRequest, pk: int, perm: str) -> Group:
    """The group if the rules give `perm`; 403 for those who may see it, 404 for everyone else."""
    return permitted(request.user, perm, get_object_or_404(Group, pk=pk), hidden_unless="groups.view_group")


# --- public -------------------------------------------------------------------------------------------


DIRECTORY_SCOPES = ("core", "groups", "matching")


@require_GET
@cache_for_anonymous(*DIRECTORY_SCOPES)
def index(request: HttpRequest) -> HttpResponse:
    """団体をさがす: filters in the query string, あいうえお order, an index by row, pages of 20.

    The search form and the results are the same for everyone who opens the address: they are
    kept (core.pagecache.fragment, same versions and expiry as the anonymous page cache), so a
    signed-in member's search costs no query and no rendering of the list when it was asked
    before; the page around them (the person's menu, 保存, 申請) is rendered for each person."""
    directory = pagecache.fragment(
        "groups:directory", request, DIRECTORY_SCOPES, lambda: _directory_parts(request)
    )
    return render(
        request,
        "groups/index.html",
        {
            "directory": {"form": mark_safe(directory["form"]), "results": mark_safe(directory["results"])},
            # A search the page answers with an error is not offered for saving.
            "filters_valid": directory["status"] == 200,
        },
        status=directory["status"],
    )


def _directory_parts(request: HttpRequest) -> dict:
    directory = selectors.group_directory(params=request.GET)
    # A shared link may name a theme or row that no longer exists: the page says which field is
    # wrong (next to it and in the summary) and lists nothing rather than every group.
    valid = valid_or_empty(directory)
    # One aggregate by row gives the row index and the total (no separate COUNT query).
    row_counts = selectors.kana_row_counts(selectors.filter_except(directory, "row"))
    current_row = directory.form.cleaned_data.get("row") or ""
    paginator = Paginator(directory.qs, settings.PAGINATE_BY)
    paginator.count = row_counts.get(current_row, 0) if current_row else sum(row_counts.values())
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "filter": directory,
        "page_obj": page_obj,
        "groups": page_obj.object_list,
        "kana_rows": [(row, row_counts.get(row, 0)) for row in selectors.KANA_ROW_NAMES],
        "current_row": current_row,
        "search_notes": keyword_search(directory.form.cleaned_data.get("q")).notes(),
    }
    return {
        "form": str(render_to_string("groups/includes/directory_form.html", context, request)),
        "results": str(render_to_string("groups/includes/directory_results.html", context, request)),
        "status": 200 if valid else 400,
    }


@require_GET
# Stored without the contact form's CSRF token: each visitor gets one of their own.
@cache_for_anonymous("core", "groups", "events", "matching", "projects", "info", forms=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group_for_page(request, pk)
    return _render_detail(request, group, ContactForm())


def _group_for_page(request: HttpRequest, pk: int) -> Group:
    try:
        group = selectors.group_for_page(pk=pk)
    except Group.DoesNotExist:
        raise Http404 from None
    return permitted(request.user, "groups.view_group", group, hidden_unless=True)


def _render_detail(
    request: HttpRequest, group: Group, contact_form: ContactForm, status: int = 200
) -> HttpResponse:
    can_see_private = may(request.user, "groups.view_group_private", group)
    return render(
        request,
        "groups/detail.html",
        {
            "group": group,
            "contact_form": contact_form,
            "contact_fields": _blank_contact_fields() if not contact_form.is_bound else "",
            "public_contact": group.public_contact(),
            "can_see_private": can_see_private,
            "can_edit": may(request.user, "groups.change_group", group),
            "can_contact": group.status == GroupStatus.APPROVED and bool(group.email),
            "related_sections": _related_sections(request, group),
        },
        status=status,
    )


def _blank_contact_fields() -> str:
    """The empty contact form's fields, the same on every group page for everyone (no token,
    no value): rendered once, not four field templates per page view (the CSRF token is outside)."""
    return mark_safe(
        pagecache.kept(
            f"groups:contact-fields:{get_language()}",
            (),
            lambda: str(
                render_to_string("groups/includes/contact_fields.html", {"contact_form": ContactForm()})
            ),
        )
    )


def _related_sections(request: HttpRequest, group: Group) -> list:
    """Sections other apps add to a group page (events, projects): hooks.group_page_sections(request, group)
    returning core.app_hooks.Panel objects; each template gets `group` and `panel` (the context)."""
    return [panel for _app, hook in collect("group_page_sections") for panel in hook(request, group)]


def _over_limit(key: str, limit: tuple[int, int]) -> bool:
    count, seconds = limit
    cache.add(key, 0, seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        used = 1
    return used > count


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Forwards a message to the group without showing its address; rate limited; honeypot.

    A form with errors is shown at this address, so a reload or a bookmark asks for it with GET:
    that goes to the form on the group's page rather than to an empty 405."""
    group = _group_for_page(request, pk)
    if request.method == "GET":
        return redirect(f"{group.get_absolute_url()}#contact-title")
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, group, form, status=400)
    if form.is_spam:
        # Bots get the same answer as people, so they learn nothing.
        messages.success(request, _("メッセージを送信しました。団体からの返信をお待ちください。"))
        return redirect(group)
    if _over_limit(f"groups:contact:ip:{client_ip(request)}", CONTACT_LIMIT_PER_IP) or _over_limit(
        f"groups:contact:group:{group.pk}", CONTACT_LIMIT_PER_GROUP
    ):
        form.add_error(
            None,
            _(
                "短い時間に多くのメッセージが送られたため、受け付けを一時停止しています。"
                "時間をおいてもう一度お試しいただくか、センターへお問い合わせください。"
            ),
        )
        return _render_detail(request, group, form, status=429)
    try:
        services.group_contact_send(
            group=group,
            sender_name=form.cleaned_data["name"],
            sender_email=form.cleaned_data["email"],
            body=form.cleaned_data["body"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_detail(request, group, form, status=400)
    messages.success(request, _("メッセージを送信しました。団体からの返信をお待ちください。"))
    return redirect(group)


# Open data is the same for every visitor and changes when a group, theme or district does
# (groups.apps clears it then); it was rebuilt from every public group on each anonymous request.
# The timeout bounds how long a change made without signals (a queryset update) can go unseen.
OPEN_DATA_CACHE_KEYS = ("groups:opendata:csv", "groups:opendata:json")
OPEN_DATA_CACHE_SECONDS = 10 * 60


def clear_open_data_cache(**kwargs) -> None:
    from django.db import transaction

    transaction.on_commit(lambda: cache.delete_many(OPEN_DATA_CACHE_KEYS))


def _public_groups_for_open_data():
    return csv_io.iter_for_export(Group.objects.public().order_by("sort_key", "id"))


@require_GET
def open_data_csv(request: HttpRequest) -> HttpResponse:
    body = cache.get(OPEN_DATA_CACHE_KEYS[0])
    if body is None:
        body = csv_io.open_data_csv(_public_groups_for_open_data())
        cache.set(OPEN_DATA_CACHE_KEYS[0], body, OPEN_DATA_CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="groups-opendata.csv"'
    return response


@require_GET
def open_data_json(request: HttpRequest) -> JsonResponse:
    data = cache.get(OPEN_DATA_CACHE_KEYS[1])
    if data is None:
        data = {
            "title": _("%(center)s 登録団体一覧") % {"center": settings.CENTER_NAME},
            "generated_at": timezone.now().isoformat(),
            "license": "CC BY 4.0",
            "groups": [csv_io.open_data_record(group) for group in _public_groups_for_open_data()],
        }
        cache.set(OPEN_DATA_CACHE_KEYS[1], data, OPEN_DATA_CACHE_SECONDS)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})


# --- applying and editing -----------------------------------------------------------------------------


@login_required
@profile_required
@require_http_methods(["GET", "POST"])
@permission_required("groups.apply_group")
def apply(request: HttpRequest) -> HttpResponse:
    """団体登録申請: save a draft or submit for review; the applicant becomes the owner."""
    form = GroupForm()
    if request.method == "POST":
        submit = request.POST.get("action") != "draft"
        form = GroupForm(request.POST, draft=not submit)
        if form.is_valid():
            with refusals_on_form(form):
                group = services.group_create(
                    owner=request.user,
                    fields=form.group_fields(),
                    themes=form.cleaned_data["themes"] or [],
                    areas=form.cleaned_data["areas"] or [],
                    submit=submit,
                )
                if submit:
                    messages.success(
                        request,
                        _("団体登録を申請しました。センター職員が確認し、結果をメールでお知らせします。"),
                    )
                else:
                    messages.success(
                        request, _("下書きを保存しました。続きはマイページからいつでも入力できます。")
                    )
                return redirect("groups:manage", pk=group.pk)
    return render(request, "groups/form.html", {"form": form, "is_new": True})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=pk)
    if may(request.user, "groups.recall_group", group):
        # Under review, the application cannot be changed: say how to, rather than a 403.
        messages.info(request, _("確認中の申請は直せません。申請を取り下げて下書きに戻すと、直せます。"))
        return redirect("groups:manage", pk=group.pk)
    group = permitted(request.user, "groups.change_group", group, hidden_unless="groups.view_group")
    is_application = group.status in (GroupStatus.DRAFT, GroupStatus.RETURNED)
    form = GroupForm(instance=group, initial={})
    if request.method == "POST":
        action = request.POST.get("action", "save")
        draft = is_application and action == "draft"
        form = GroupForm(request.POST, instance=Group.objects.get(pk=group.pk), draft=draft)
        if form.is_valid():
            with refusals_on_form(form):
                group = services.group_update(
                    group=group,
                    user=request.user,
                    fields=form.group_fields(),
                    themes=form.cleaned_data["themes"] or [],
                    areas=form.cleaned_data["areas"] or [],
                )
                if is_application and action == "submit":
                    group = services.group_submit(group=group, user=request.user)
                if group.status == GroupStatus.PENDING:
                    messages.success(
                        request,
                        _("団体登録を申請しました。センター職員が確認し、結果をメールでお知らせします。"),
                    )
                elif group.status == GroupStatus.APPROVED:
                    messages.success(request, _("団体の情報を更新しました。団体のページに反映されています。"))
                else:
                    messages.success(request, _("保存しました。"))
                return redirect("groups:manage", pk=group.pk)
    return render(
        request,
        "groups/form.html",
        {"form": form, "group": group, "is_new": False, "is_application": is_application},
    )


@login_required
@require_GET
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The editors' page of one group: status, what to do next, co-editors, renewal."""
    group = _group_for(request, pk, "groups.view_group_private")
    return _manage_page(request, group, invitation_form=InvitationForm())


def _manage_page(
    request: HttpRequest, group: Group, *, invitation_form: InvitationForm, status: int = 200
) -> HttpResponse:
    """The editors' page, also shown again with an invitation that was not sent."""
    user = request.user
    return render(
        request,
        "groups/manage.html",
        {
            "group": group,
            "members": selectors.group_members(group),
            "invitations": selectors.pending_invitations(group),
            "invitation_form": invitation_form,
            "current_fiscal_year": current_fiscal_year(),
            "needs_renewal": group.renewal_due(current_fiscal_year()),
            # Only whether one exists: the other group's details are not the applicant's to see.
            "may_be_registered": group.status
            in (GroupStatus.DRAFT, GroupStatus.PENDING, GroupStatus.RETURNED)
            and bool(selectors.possible_duplicates(group, limit=1)),
            "perms_for_group": {
                "change": may(user, "groups.change_group", group),
                "submit": may(user, "groups.submit_group", group),
                "pause": may(user, "groups.pause_group", group),
                "resume": may(user, "groups.resume_group", group),
                "withdraw": may(user, "groups.withdraw_group", group),
                "recall": may(user, "groups.recall_group", group),
                "renew": may(user, "groups.renew_group", group),
                "manage_members": may(user, "groups.manage_members", group),
            },
        },
        status=status,
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group_for(request, pk, "groups.submit_group")
    try:
        services.group_submit(group=group, user=request.user)
    except ValidationError as exc:
        messages.error(
            request,
            _(
                "申請に必要な項目が入力されていません。"
                "「入力を続ける・申請する」から入力してください: %(errors)s"
            )
            % {"errors": " ".join(exc.messages)},
        )
    else:
        messages.success(
            request, _("団体登録を申請しました。センター職員が確認し、結果をメールでお知らせします。")
        )
    return redirect("groups:manage", pk=group.pk)


STATUS_ACTIONS = {
    GroupAction.PAUSE: {
        "title": _("活動を休止する"),
        "button": _("休止する"),
        "explain": _("休止中は団体一覧と団体のページに表示されません。再開はいつでもできます。"),
        "done": _("休止にしました。"),
    },
    GroupAction.RESUME: {
        "title": _("活動を再開する"),
        "button": _("再開する"),
        "explain": _("再開すると、団体一覧と団体のページに再び表示されます。"),
        "done": _("活動を再開しました。"),
    },
    GroupAction.WITHDRAW: {
        "title": _("退会する"),
        "button": _("退会する"),
        "explain": _(
            "退会すると、この団体の登録（申請中のものを含む）は終わり、元に戻せません。公開中のページも"
            "表示されなくなります。再び登録するには新しく申請が必要です。"
        ),
        "done": _("退会の手続きをしました。"),
    },
    GroupAction.RECALL: {
        "title": _("申請を取り下げる"),
        "button": _("取り下げる"),
        "explain": _(
            "取り下げると申請は「下書き」に戻り、内容を直してからもう一度申請できます。センターの確認は、"
            "もう一度申請したときから始まります。"
        ),
        "done": _("申請を取り下げました。内容を直して、もう一度申請してください。"),
    },
}


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """休止 / 再開 / 退会 / 申請の取り下げ, with an optional reason, after a confirmation page."""
    if action not in STATUS_ACTIONS:
        raise Http404
    group = _group_for(request, pk, f"groups.{action}_group")
    texts = STATUS_ACTIONS[action]
    form = ReasonForm(
        request.POST or None, help_text=_("任意です。センターへの連絡事項があれば書いてください。")
    )
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            services.group_change_status(
                group=group, user=request.user, action=action, reason=form.cleaned_data["reason"]
            )
            messages.success(request, texts["done"])
            return redirect("groups:manage", pk=group.pk)
    return render(
        request,
        "groups/confirm_status.html",
        {"group": group, "form": form, "texts": texts, "action": action},
    )


@login_required
@require_http_methods(["GET", "POST"])
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    """更新: the group looks over its details and confirms them for this fiscal year."""
    group = _group_for(request, pk, "groups.renew_group")
    fiscal_year = current_fiscal_year()
    renewal = selectors.renewal_of(group, fiscal_year)
    if request.method == "POST":
        if renewal is None:
            services.group_renew(group=group, user=request.user, fiscal_year=fiscal_year)
            done = _("%(year)sの更新を確認しました。ありがとうございました。")
        else:  # a second tab or the back button: nothing more to do
            done = _("%(year)sの更新は確認済みです。")
        messages.success(request, done % {"year": _fiscal_label(fiscal_year)})
        return redirect("groups:manage", pk=group.pk)
    group = selectors.group_for_page(pk=group.pk)
    return render(
        request, "groups/renew.html", {"group": group, "fiscal_year": fiscal_year, "renewal": renewal}
    )


def _fiscal_label(fiscal_year: int) -> str:
    from core.fiscal import fiscal_year_label

    return fiscal_year_label(fiscal_year)


# --- co-editors ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invites a co-editor. An address that was refused is shown at this address: a reload or a
    bookmark (GET) goes to the invitation form on the editors' page, not to an empty 405."""
    group = _group_for(request, pk, "groups.manage_members")
    if request.method == "GET":
        return redirect(reverse("groups:manage", args=[group.pk]) + "#members-title")
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(group=group, email=form.cleaned_data["email"], invited_by=request.user)
        except ValidationError as exc:
            form.add_error(
                "email",
                exc.message_dict.get("email", exc.messages) if hasattr(exc, "error_dict") else exc.messages,
            )
        else:
            messages.success(
                request, _("%(email)s に招待のメールを送りました。") % {"email": form.cleaned_data["email"]}
            )
            return redirect("groups:manage", pk=group.pk)
    return _manage_page(request, group, invitation_form=form, status=400)


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    group = _group_for(request, pk, "groups.manage_members")
    invitation = get_object_or_404(GroupInvitation, pk=invitation_pk, group=group)
    services.invitation_cancel(invitation=invitation, user=request.user)
    messages.success(request, _("招待を取り消しました。"))
    return redirect("groups:manage", pk=group.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    group = _group_for(request, pk, "groups.view_group_private")
    membership = get_object_or_404(
        GroupMembership.objects.select_related("user", "group"), pk=membership_pk, group=group
    )
    try:
        services.membership_remove(membership=membership, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("groups:manage", pk=group.pk)
    messages.success(request, _("%(name)s さんを編集者から外しました。") % {"name": membership.user})
    if membership.user_id == request.user.pk:
        return redirect("core:mypage")
    return redirect("groups:manage", pk=group.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = GroupInvitation.objects.select_related("group", "invited_by").filter(token=token).first()
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("core:mypage")
        messages.success(request, _("「%(group)s」の編集者になりました。") % {"group": membership.group})
        return redirect("groups:manage", pk=membership.group_id)
    return render(
        request,
        "groups/invitation_accept.html",
        {"invitation": invitation, "is_for_user": services.invitation_is_for(invitation, request.user)},
    )


# --- staff ---------------------------------------------------------------------------------------------


@login_required
@require_GET
@permission_required("groups.review_groups")
def staff_queue(request: HttpRequest) -> HttpResponse:
    """申請の確認: applications waiting for a decision, oldest first."""
    page_obj = paginate(request, selectors.review_queue())
    return render(request, "groups/staff/queue.html", {"page_obj": page_obj, "groups": page_obj.object_list})


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("groups.review_groups")
def staff_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: every field (private ones too), approve, or return with a reason."""
    group = get_object_or_404(Group.objects.prefetch_related("themes", "areas"), pk=pk)
    # One form for both buttons, bound the same way on GET and POST: the reason keeps its label,
    # its mark (差し戻すときは必須) and its help text after a failed try.
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == GroupAction.APPROVE:
            # The approval form has no field to show a refusal under (an incomplete application).
            with refusal_as_message(request):
                group = services.group_approve(group=group, staff=request.user)
                done = _("「%(name)s」を登録しました（登録番号 %(number)s）。") % {
                    "name": group.name,
                    "number": group.registration_number,
                }
                messages.success(request, done + _notice_sent_or_not(group))
                return redirect("groups:staff_queue")
        else:
            with refusals_on_form(form):
                group = services.group_return(
                    group=group, staff=request.user, reason=form.cleaned_data["reason"]
                )
                done = _("「%(name)s」を差し戻しました。") % {"name": group.name}
                messages.success(request, done + _notice_sent_or_not(group))
                return redirect("groups:staff_queue")
    return render(
        request,
        "groups/staff/review.html",
        {
            "group": group,
            "form": form,
            "members": selectors.group_members(group),
            "missing": services.completeness_errors(group, themes=group.themes.all()),
            "duplicates": selectors.possible_duplicates(group),
        },
    )


def _notice_sent_or_not(group: Group) -> str:
    """What staff are told about the applicant's e-mail: sent only when the service queued one."""
    if group.notified_by_email:
        return _("申請者にメールでお知らせしました。")
    return _(
        "この団体には編集者（メールの届く方）がいないため、メールではお知らせしていません。"
        "必要なら団体へ直接ご連絡ください。"
    )


@login_required
@require_GET
def staff_history(request: HttpRequest, pk: int) -> HttpResponse:
    """変更履歴: who changed what and when, with old and new values."""
    group = _group_for(request, pk, "groups.view_group_history")
    return render(
        request, "groups/staff/history.html", {"group": group, "entries": selectors.group_history(group)}
    )


@login_required
@require_GET
@permission_required("groups.review_groups")
def staff_changes(request: HttpRequest) -> HttpResponse:
    """Recent edits of approved groups by their own editors (they go live at once)."""
    return render(request, "groups/staff/changes.html", {"records": selectors.recent_changes()})


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("groups.review_groups")
def staff_renewal(request: HttpRequest) -> HttpResponse:
    """年次更新の状況: who has not confirmed this fiscal year; send reminders now."""
    if request.method == "POST":
        from groups.tasks import send_renewal_reminders

        send_renewal_reminders.delay()
        messages.success(
            request,
            _("未更新の団体へのお知らせメールの送信を始めました（前回から28日以内の団体には送りません）。"),
        )
        return redirect("groups:staff_renewal")
    fiscal_year = current_fiscal_year()
    page_obj = paginate(request, selectors.renewal_status(fiscal_year=fiscal_year), 50)
    return render(
        request,
        "groups/staff/renewal.html",
        {
            "page_obj": page_obj,
            "groups": page_obj.object_list,
            "fiscal_year": fiscal_year,
            "counts": selectors.renewal_counts(fiscal_year=fiscal_year),
        },
    )


IMPORT_DIR = "group-imports"


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("groups.review_groups")
def staff_import(request: HttpRequest) -> HttpResponse:
    """CSV import, step 1: upload and preview. Nothing is saved here."""
    form = ImportUploadForm()
    preview = None
    token = ""
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            clear_empty = form.cleaned_data["clear_empty"]
            preview = csv_io.parse(data, clear_empty=clear_empty)
            if preview.is_valid:
                token = uuid.uuid4().hex
                storages["private"].save(f"{IMPORT_DIR}/{token}.csv", ContentFile(data))
                request.session[f"groups_import_{token}"] = {"clear_empty": clear_empty}
    return _render_import(request, form, preview, token)


def _render_import(request, form, preview, token, status=200) -> HttpResponse:
    return render(
        request,
        "groups/staff/import.html",
        {"form": form, "preview": preview, "token": token, "columns": csv_io.COLUMNS},
        status=status,
    )


@login_required
@require_POST
@permission_required("groups.review_groups")
def staff_import_confirm(request: HttpRequest) -> HttpResponse:
    """CSV import, step 2: the same file is checked again with staff's 重複 choices and saved in
    one transaction. A choice that cannot be kept shows the preview again, choices as chosen.

    Only the request that claims the file imports it (csv_io.import_claim): a double click or a
    second tab sends the same token while the first request is still saving, and its session
    still holds the token then."""
    token = request.POST.get("token", "")
    options = request.session.get(f"groups_import_{token}") if token.isalnum() else None
    if not options:
        messages.error(request, _("取り込むファイルが見つかりません。もう一度アップロードしてください。"))
        return redirect("groups:staff_import")
    if not csv_io.import_claim(token=token):
        messages.warning(
            request,
            _(
                "このファイルは取り込み中か、すでに取り込み済みです。二重に登録しないよう、"
                "この操作では何も保存していません。結果は団体の一覧で確かめてください。"
            ),
        )
        return redirect("groups:staff_queue")
    try:
        return _import_claimed(request, token=token, options=options)
    except BaseException:
        csv_io.import_release(token=token)
        raise


def _import_claimed(request: HttpRequest, *, token: str, options: dict) -> HttpResponse:
    """Imports the claimed file; gives the claim up when nothing was saved, so it can be retried."""
    storage = storages["private"]
    name = f"{IMPORT_DIR}/{token}.csv"
    with storage.open(name, "rb") as handle:
        data = handle.read()
    choices = {k: v for k, v in request.POST.items() if k.startswith("choice-")}
    preview = csv_io.parse(data, clear_empty=bool(options.get("clear_empty")), choices=choices)
    if not preview.is_valid:
        csv_io.import_release(token=token)
        return _render_import(request, ImportUploadForm(), preview, token, status=400)
    try:
        csv_io.import_rows(preview=preview, staff=request.user)
    except ValidationError as exc:
        csv_io.import_release(token=token)
        messages.error(request, " ".join(exc.messages))
        return _render_import(request, ImportUploadForm(), preview, token, status=400)
    request.session.pop(f"groups_import_{token}", None)
    storage.delete(name)
    messages.success(
        request,
        _(
            "%(new)s件を新しく登録し、%(updated)s件を更新しました（変更なし%(same)s件、取り込まなかった重複%(skipped)s件）。"
        )
        % {
            "new": preview.count(csv_io.RowAction.NEW),
            "updated": preview.count(csv_io.RowAction.UPDATE),
            "same": preview.count(csv_io.RowAction.UNCHANGED),
            "skipped": preview.count(csv_io.RowAction.DUPLICATE),
        },
    )
    return redirect("groups:staff_queue")


@login_required
@require_GET
@permission_required("groups.review_groups")
def staff_export(request: HttpRequest) -> HttpResponse:
    """All groups with every field, UTF-8 with BOM (Excel opens it as Japanese)."""
    groups = csv_io.iter_for_export(Group.objects.order_by("sort_key", "id"))
    response = HttpResponse(csv_io.export_csv(groups), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="groups-{stamp}.csv"'
    return response
