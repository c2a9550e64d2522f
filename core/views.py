import copy
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe
from rules.contrib.views import objectgetter

from core import outbox, selectors
from core.app_hooks import collect
from core.models import OutboxMessage
from core.pagecache import cache_for_anonymous
from core.permissions import permission_required
from core.shortcuts import paginate, safe_next

logger = logging.getLogger("kyodo")


@require_GET
@cache_for_anonymous("core", "groups", "events", "info")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", selectors.home_context())


@login_required
def mypage(request: HttpRequest) -> HttpResponse:
    panels = [panel for _app, hook in collect("mypage_panels") for panel in hook(request)]
    return render(request, "core/mypage.html", {"panels": panels})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """マイページ → プロフィール: 氏名, ふりがな, phone and the optional notices."""
    from core.profile_forms import ProfileForm
    from core.services import PROFILE_FIELDS, user_profile_update

    next_url = safe_next(request)  # where to return after the profile is saved
    # A copy: the form writes what it accepted onto its instance even when another field is wrong.
    form = ProfileForm(request.POST or None, instance=copy.copy(request.user))
    if request.method == "POST" and form.is_valid():
        user_profile_update(user=request.user, **{name: form.cleaned_data[name] for name in PROFILE_FIELDS})
        messages.success(request, _("プロフィールを保存しました。"))
        return redirect(next_url or "core:profile")
    return render(request, "core/profile.html", {"form": form, "next": next_url})


@permission_required("core.view_staff_pages")
@require_GET
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    """職員メニュー: every app's staff pages under the headings of STAFF_SECTIONS."""
    links = [link for _app, hook in collect("staff_links") for link in hook(request)]
    return render(request, "core/staff_dashboard.html", {"sections": selectors.staff_menu_sections(links)})


@permission_required("core.view_staff_pages")
@require_GET
def staff_today(request: HttpRequest) -> HttpResponse:
    """今日の対応: what waits for staff today, most urgent first (items with nothing waiting are left out)."""
    items = [item for _app, hook in collect("dashboard_items") for item in hook(request)]
    return render(request, "core/staff_today.html", selectors.staff_today_context(items))


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", selectors.accessibility_report())


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "core/terms.html")


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    return render(request, "core/sitemap.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database (and Redis, when configured) answer."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("healthz: database check failed")
        checks["database"] = "error"
        healthy = False
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception:
            logger.exception("healthz: redis check failed")
            checks["redis"] = "error"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


# --- The outbox: every e-mail the portal sends -------------------------------------------------------


@permission_required("core.view_outbox")
@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Every e-mail with its state; a failed one can be sent again."""
    status = request.GET.get("status", "")
    if status and status not in OutboxMessage.Status.values:
        return render(
            request,
            "core/staff/outbox_list.html",
            {
                "status_error": _("状態の指定が正しくありません。一覧から選んでください。"),
                "statuses": [(value, label, None) for value, label in OutboxMessage.Status.choices],
            },
            status=400,
        )
    page_obj = paginate(request, selectors.outbox_list(status=status))
    return render(
        request,
        "core/staff/outbox_list.html",
        {
            "page_obj": page_obj,
            "status": status,
            "statuses": selectors.outbox_status_counts(),
        },
    )


@permission_required("core.view_outbox")
@require_GET
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "core/staff/outbox_detail.html", {"message": message})


@permission_required("core.resend_outboxmessage", fn=objectgetter(OutboxMessage, "pk"))
@require_POST
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    try:
        message = outbox.outbox_resend(message=message)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        message.refresh_from_db()
        if message.status == OutboxMessage.Status.SENT:
            messages.success(request, _("メールを送信しました。"))
        elif message.status == OutboxMessage.Status.FAILED:
            messages.error(request, _("再送信できませんでした: %(error)s") % {"error": message.last_error})
        else:
            messages.info(request, _("メールの再送信を受け付けました。"))
    return redirect("core:outbox_detail", pk=message.pk)


# --- Confirming a two-factor enrolment (core/mfa.py) ----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Explains why, and mails the one-time link that opens the TOTP set-up page."""
    from core import mfa

    if not mfa.needs_strong_authentication(request.user) or mfa.enrolment_confirmed(request):
        return redirect("mfa_activate_totp")
    address = mfa.verified_address(request.user)
    sent = False
    if request.method == "POST" and address is not None:
        try:
            mfa.enrolment_link_issue(user=request.user)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        sent = True
    return render(
        request,
        "core/mfa_enrol.html",
        {"address": address, "sent": sent, "minutes": int(mfa.SELF_LINK_MAX_AGE.total_seconds() // 60)},
    )


@login_required
@require_GET
def mfa_enrol_confirm(request: HttpRequest, token: str) -> HttpResponse:
    from core import mfa

    if not mfa.enrolment_link_redeem(token=token, user=request.user):
        messages.error(
            request,
            _(
                "確認のリンクが正しくないか、期限が過ぎているか、すでに使われています。"
                "ご自身のアカウントでログインしているか確かめて、もう一度メールを送ってください。"
            ),
        )
        return redirect("core:mfa_enrol")
    mfa.mark_confirmed(request)
    return redirect("mfa_activate_totp")


@permission_required("core.issue_mfa_enrolment")
@require_GET
def mfa_staff_list(request: HttpRequest) -> HttpResponse:
    """Who must use two-factor sign-in, who has it, and a one-time set-up link for each."""
    page_obj = paginate(request, selectors.strong_authentication_accounts())
    for person in page_obj.object_list:
        roles = [group.name for group in person.groups.all()]
        fallback = _("管理者") if person.is_superuser else _("管理画面の利用者")
        person.role_label = "、".join(roles) or fallback
    return render(request, "core/staff/mfa_list.html", {"page_obj": page_obj})


@permission_required("core.issue_mfa_enrolment")
@require_POST
def mfa_staff_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Mails a one-time set-up link (3 days) to the account's verified address."""
    from core import mfa
    from core.models import User

    person = get_object_or_404(User, pk=pk, is_active=True)
    if not mfa.needs_strong_authentication(person):
        raise Http404
    if mfa.user_has_totp(person):
        messages.error(request, _("%(name)sさんは二段階認証を設定済みです。") % {"name": person})
        return redirect("core:mfa_staff_list")
    try:
        mfa.enrolment_link_issue(user=person, issued_by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("%(name)sさんに二段階認証の設定用リンクを送りました（1回だけ使え、3日間有効）。")
            % {"name": person},
        )
    return redirect("core:mfa_staff_list")
