"""Pages of the info app: grants (public and for staff/officials), saved searches, unsubscribe."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pagecache import cache_for_anonymous
from core.permissions import may, permission_required, permitted
from core.shortcuts import paginate, refusal_as_message, refusals_on_form
from info import newsletter, selectors, services
from info.forms import (
    FlyerForm,
    FlyerReviewForm,
    GrantForm,
    IssueForm,
    SavedSearchCreateForm,
    SavedSearchForm,
    SubscribeForm,
)
from info.models import (
    Flyer,
    Grant,
    IssueStatus,
    NewsletterIssue,
    SavedSearch,
    SearchKind,
    Subscriber,
    SubscriberStatus,
)
from info.sources import all_sources


@require_GET
@cache_for_anonymous("core", "info")
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    soon = selectors.grant_list(params={"soon": "on"}, today=today)
    return render(request, "info/index.html", {"closing_soon": list(soon.qs[:5]), "today": today})


# --- grants -------------------------------------------------------------------------------------


@require_GET
@cache_for_anonymous("core", "info")
def grant_list(request: HttpRequest) -> HttpResponse:
    """助成金・支援制度: open ones, filtered, soonest deadline first."""
    today = timezone.localdate()
    grants = selectors.grant_list(params=request.GET, today=today)
    if not grants.is_valid():
        # Invalid filters are an error shown next to the field, never a silent "all grants".
        return render(
            request, "info/grant_list.html", {"filter": grants, "page_obj": None, "today": today}, status=400
        )
    page_obj = paginate(request, grants.qs)
    is_filtered = any(value for key, value in request.GET.items() if key != "page")
    return render(
        request,
        "info/grant_list.html",
        {"filter": grants, "page_obj": page_obj, "today": today, "is_filtered": is_filtered},
    )


@require_GET
def grant_archive(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.grant_archive())
    return render(request, "info/grant_archive.html", {"page_obj": page_obj})


@require_GET
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_visible(pk=pk)
    if grant is None:
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "info/grant_detail.html",
        {
            "grant": grant,
            "today": today,
            "days_left": grant.days_left(today),
            "can_edit": may(request.user, "info.change_grant", grant),
        },
    )


@login_required
@require_GET
@permission_required("info.manage_grants")
def grant_manage(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.grants_managed_by(request.user))
    return render(
        request,
        "info/grant_manage.html",
        {"page_obj": page_obj, "manages_every_grant": may(request.user, "info.manage_every_grant")},
    )


def _grant_form_page(request: HttpRequest, grant: Grant | None) -> HttpResponse:
    form = GrantForm(request.POST or None, instance=grant, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        with refusals_on_form(form):
            if grant is None:
                grant = services.grant_create(user=request.user, **data)
            else:
                grant = services.grant_update(grant=grant, **data)
            messages.success(request, _("「%(title)s」を保存しました。") % {"title": grant.title})
            return redirect("info:grant_manage")
    return render(request, "info/grant_form.html", {"form": form, "grant": grant})


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("info.add_grant")
def grant_create(request: HttpRequest) -> HttpResponse:
    return _grant_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def grant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    grant = permitted(request.user, "info.change_grant", get_object_or_404(Grant, pk=pk))
    return _grant_form_page(request, grant)


# --- saved searches -----------------------------------------------------------------------------


def _list_url(kind: str, query: str) -> str:
    source = all_sources().get(kind)
    if source is None:
        return reverse("core:mypage")
    url = reverse(source.list_url_name)
    return f"{url}?{query}" if query else url


@login_required
@require_GET
def search_list(request: HttpRequest) -> HttpResponse:
    searches = selectors.saved_searches_of(request.user)
    rows = [(search, _list_url(search.kind, search.query)) for search in searches]
    return render(request, "info/search_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def search_create(request: HttpRequest) -> HttpResponse:
    """この条件を保存: the list's current filters come in the query string (kind, query)."""
    if request.method == "POST":
        form = SavedSearchCreateForm(request.POST)
    else:
        form = SavedSearchCreateForm(
            initial={
                "kind": request.GET.get("kind"),
                "query": services.clean_query(request.GET.get("query", "")),
            }
        )
        if request.GET.get("kind") not in SearchKind.values:
            raise Http404
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            services.saved_search_create(user=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("検索条件「%(name)s」を保存しました。新着があるとメールでお知らせします。")
                % form.cleaned_data,
            )
            return redirect("info:search_list")
    kind = form["kind"].value()
    query = form["query"].value() or ""
    return render(
        request,
        "info/search_create.html",
        {
            "form": form,
            "kind_label": SearchKind(kind).label if kind in SearchKind.values else "",
            "list_url": _list_url(kind, query),
        },
    )


def _own_search(request: HttpRequest, pk: int) -> SavedSearch:
    return permitted(
        request.user, "info.change_savedsearch", get_object_or_404(SavedSearch, pk=pk), hidden_unless=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def search_edit(request: HttpRequest, pk: int) -> HttpResponse:
    search = _own_search(request, pk)
    form = SavedSearchForm(request.POST or None, instance=search)
    if request.method == "POST" and form.is_valid():
        services.saved_search_update(search=search, **form.cleaned_data)
        messages.success(request, _("検索条件「%(name)s」を保存しました。") % {"name": search.name})
        return redirect("info:search_list")
    return render(
        request,
        "info/search_edit.html",
        {"form": form, "search": search, "list_url": _list_url(search.kind, search.query)},
    )


@login_required
@require_POST
def search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    search = _own_search(request, pk)
    services.saved_search_delete(search=search)
    messages.success(request, _("検索条件「%(name)s」を削除しました。") % {"name": search.name})
    return redirect("info:search_list")


def _unsubscribe_page(
    request: HttpRequest, template: str, token: str, recipient, unsubscribe
) -> HttpResponse:
    """A signed unsubscribe link: the link is the capability, so no login, and mail programs'
    one-click unsubscribe (RFC 8058, List-Unsubscribe-Post) posts without a CSRF token. POST
    unsubscribes `recipient`; GET only asks: link checkers of mail services open links without
    the person."""
    if recipient is None:
        return render(request, template, {"invalid": True}, status=404)
    if request.method == "POST":
        unsubscribe(recipient)
        return render(request, template, {"done": True})
    return render(request, template, {"token": token})


# A signed link, posted to without a CSRF token by one-click unsubscribe (see _unsubscribe_page).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = services.unsubscribe_user(token)
    return _unsubscribe_page(
        request, "info/unsubscribe.html", token, user, lambda user: services.alerts_unsubscribe(user=user)
    )


# --- flyers -------------------------------------------------------------------------------------


@require_GET
def flyer_rack(request: HttpRequest) -> HttpResponse:
    """チラシの配架: every approved flyer in its display period."""
    return render(request, "info/flyer_rack.html", {"flyers": selectors.flyers_on_display()})


@login_required
@require_http_methods(["GET", "POST"])
def flyer_create(request: HttpRequest, group_pk: int) -> HttpResponse:
    from groups.models import Group

    group = permitted(request.user, "info.add_flyer", get_object_or_404(Group, pk=group_pk))
    form = FlyerForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            with refusals_on_form(form):
                services.flyer_create(
                    group=group,
                    user=request.user,
                    upload=form.cleaned_data["file"],
                    **{name: form.cleaned_data[name] for name in services.FLYER_FIELDS},
                )
                form.release_file()
                messages.success(request, _("チラシを受け付けました。センター職員が確認してから掲示します。"))
                return redirect("core:mypage")
        form.keep_file()  # the browser will not send the chosen file again
    return render(request, "info/flyer_form.html", {"form": form, "group": group})


def _visible_flyer(request: HttpRequest, pk: int) -> Flyer:
    return permitted(
        request.user,
        "info.view_flyer",
        get_object_or_404(Flyer.objects.select_related("group"), pk=pk),
        hidden_unless=True,
    )


def _serve(field, content_type: str, filename: str | None = None) -> FileResponse:
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def flyer_file(request: HttpRequest, pk: int) -> FileResponse:
    flyer = _visible_flyer(request, pk)
    suffix = flyer.file.name.rsplit(".", 1)[-1]
    return _serve(flyer.file, flyer.content_type, filename=f"{flyer.title}.{suffix}")


@require_GET
def flyer_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    flyer = _visible_flyer(request, pk)
    if not flyer.thumbnail:
        raise Http404
    return _serve(flyer.thumbnail, "image/png")


@login_required
@require_GET
@permission_required("info.review_flyers")
def flyer_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request, "info/flyer_queue.html", {"flyers": selectors.flyers_pending(), "form": FlyerReviewForm()}
    )


@login_required
@require_POST
@permission_required("info.review_flyers")
def flyer_review(request: HttpRequest, pk: int) -> HttpResponse:
    flyer = get_object_or_404(Flyer, pk=pk)
    form = FlyerReviewForm(request.POST)
    if form.is_valid():
        with refusal_as_message(request):
            services.flyer_review(
                flyer=flyer,
                staff=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["review_note"],
            )
            messages.success(request, _("「%(title)s」の確認を記録しました。") % {"title": flyer.title})
    else:
        messages.error(request, _("掲示するかどうかを選んでください。"))
    return redirect("info:flyer_queue")


# --- newsletter (情報紙) ---------------------------------------------------------------------------


@require_GET
def newsletter_index(request: HttpRequest) -> HttpResponse:
    """Past issues, newest first, and the way to subscribe."""
    issues = NewsletterIssue.objects.filter(status=IssueStatus.SENT).order_by("-number")
    page_obj = paginate(request, issues)
    return render(request, "info/newsletter_index.html", {"page_obj": page_obj})


@require_GET
def newsletter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(NewsletterIssue, pk=pk, status=IssueStatus.SENT)
    return render(request, "info/newsletter_detail.html", newsletter.issue_blocks(issue))


@require_http_methods(["GET", "POST"])
def newsletter_subscribe(request: HttpRequest) -> HttpResponse:
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        newsletter.subscribe_request(email=form.cleaned_data["email"], user=request.user)
        return render(request, "info/newsletter_subscribe.html", {"sent_to": form.cleaned_data["email"]})
    return render(
        request, "info/newsletter_subscribe.html", {"form": form, "days": settings.NEWSLETTER_RETENTION_DAYS}
    )


@never_cache  # shows the address to be confirmed
@require_http_methods(["GET", "POST"])
def newsletter_confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = newsletter.subscriber_from_token(
        token, salt=newsletter.CONFIRM_SALT, max_age=newsletter.CONFIRM_MAX_AGE
    )
    if subscriber is None:
        return render(request, "info/newsletter_confirm.html", {"invalid": True}, status=404)
    if request.method == "POST":
        newsletter.subscribe_confirm(subscriber=subscriber)
        return render(request, "info/newsletter_confirm.html", {"done": True, "subscriber": subscriber})
    return render(request, "info/newsletter_confirm.html", {"token": token, "subscriber": subscriber})


# A signed link, posted to without a CSRF token by one-click unsubscribe (see _unsubscribe_page).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = newsletter.subscriber_from_token(token, salt=newsletter.UNSUBSCRIBE_SALT)
    return _unsubscribe_page(
        request,
        "info/newsletter_unsubscribe.html",
        token,
        subscriber,
        lambda subscriber: newsletter.newsletter_unsubscribe(subscriber=subscriber),
    )


@login_required
@require_GET
@permission_required("info.manage_newsletter")
def newsletter_staff(request: HttpRequest) -> HttpResponse:
    counts = dict(Subscriber.objects.values_list("status").annotate(n=Count("pk")))
    issues = NewsletterIssue.objects.order_by("-number")[:50]
    return render(request, "info/newsletter_staff.html", {"issues": issues, "counts": counts})


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("info.manage_newsletter")
def newsletter_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    issue = get_object_or_404(NewsletterIssue, pk=pk) if pk else None
    if issue is not None and issue.status != IssueStatus.DRAFT:
        messages.error(request, _("送信した号は変更できません。"))
        return redirect("info:newsletter_preview", pk=issue.pk)
    if issue is None:
        last = NewsletterIssue.objects.order_by("-number").values_list("number", flat=True).first() or 0
        form = IssueForm(request.POST or None, initial={"number": last + 1})
    else:
        form = IssueForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            issue = newsletter.issue_save(
                issue=form.save(commit=False), events=form.cleaned_data["events"], user=request.user
            )
            messages.success(request, _("保存しました。メールと印刷用PDFの見え方を確かめてください。"))
            return redirect("info:newsletter_preview", pk=issue.pk)
    return render(request, "info/newsletter_form.html", {"form": form, "issue": issue})


@login_required
@require_GET
@permission_required("info.manage_newsletter")
def newsletter_preview(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(NewsletterIssue, pk=pk)
    body = newsletter.issue_email_body(issue, unsubscribe=_("（ここに購読者ごとの解除リンクが入ります）"))
    active = Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).count()
    context = {"issue": issue, "body": body, "active": active}
    if issue.status in (IssueStatus.SENDING, IssueStatus.FAILED):
        context |= {"queued": issue.deliveries.count(), "can_resume": newsletter.issue_can_resume(issue)}
    return render(request, "info/newsletter_preview.html", context)


@login_required
@require_GET
@permission_required("info.manage_newsletter")
def newsletter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(NewsletterIssue, pk=pk)
    response = HttpResponse(newsletter.issue_pdf(issue), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="newsletter-{issue.number}.pdf"'
    return response


@login_required
@require_POST
@permission_required("info.manage_newsletter")
def newsletter_send(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(NewsletterIssue, pk=pk)
    with refusal_as_message(request):
        newsletter.issue_send(issue=issue, staff=request.user)
        messages.success(request, _("送信を始めました。購読者が多いと、すべて届くまで数分かかります。"))
    return redirect("info:newsletter_preview", pk=issue.pk)
