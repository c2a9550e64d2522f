"""Matching pages: thin views that check access, parse input and call a selector or a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.filters import query_choice_errors
from core.history import history_entries
from core.models import Department
from core.pagecache import cache_for_anonymous, versions
from core.permissions import may, permission_required, permitted
from core.shortcuts import paginate, refusal_as_message, refusals_on_form, safe_next
from matching import selectors, services
from matching.forms import BusinessForm, IntroductionForm, ItemForm, TransitionForm
from matching.models import Business, Match, MatchStatus, Need, Offer, PartyRef

ITEMS = {
    "need": {
        "model": Need,
        "perm": "matching.change_need",
        "view_perm": "matching.view_need",
        "create": services.need_create,
        "update": lambda item, **data: services.need_update(need=item, **data),
        "label": _("ニーズ"),
        "title_help": _("例: 子ども食堂のチラシを作ってほしい"),
    },
    "offer": {
        "model": Offer,
        "perm": "matching.change_offer",
        "view_perm": "matching.view_offer",
        "create": services.offer_create,
        "update": lambda item, **data: services.offer_update(offer=item, **data),
        "label": _("提供"),
        "title_help": _("例: チラシ制作/デザイン"),
    },
}
INDEX_PARTIES_WITH_SUGGESTIONS = 3
INDEX_SUGGESTIONS_PER_PARTY = 3


def _party_or_404(key: str):
    try:
        ref = PartyRef.parse(key)
        return ref, ref.get()
    except (ValueError, ObjectDoesNotExist):
        raise Http404 from None


# --- Index ---------------------------------------------------------------------------------------


@require_GET
@cache_for_anonymous("core", "groups", "matching")
def index(request: HttpRequest) -> HttpResponse:
    """Open needs (or offers, ?type=offer) with filters; for a signed-in person, their suggestions."""
    # An unknown list (?type=bogus) is an error, not the needs under another name.
    query_errors = query_choice_errors(request.GET, {"type": (_("表示する種類"), set(ITEMS))})
    item_type = "need" if query_errors else request.GET.get("type") or "need"
    model = ITEMS[item_type]["model"]
    filterset = selectors.item_filter(model, data=request.GET)
    if query_errors:
        filterset.queryset = filterset.queryset.none()
    page_obj = paginate(request, filterset.qs)
    my_parties = selectors.user_parties(request.user)
    my_suggestions = []
    for choice in my_parties[:INDEX_PARTIES_WITH_SUGGESTIONS]:
        _party, rows = selectors.cached_suggestions_for(
            choice.ref, party=choice.party, limit=INDEX_SUGGESTIONS_PER_PARTY
        )
        my_suggestions.append((choice, rows))
    return render(
        request,
        "matching/index.html",
        {
            "item_type": item_type,
            "item_label": ITEMS[item_type]["label"],
            "filter": filterset,
            "page_obj": page_obj,
            "my_parties": my_parties,
            "my_suggestions": my_suggestions,
            "query_errors": query_errors,
        },
        status=400 if filterset.errors or query_errors else 200,
    )


# --- Needs and offers ----------------------------------------------------------------------------


def _item_or_404(item_type: str, pk: int):
    model = ITEMS[item_type]["model"]
    return get_object_or_404(
        model.objects.select_related("group", "business", "department").prefetch_related("themes", "areas"),
        pk=pk,
    )


@require_GET
def item_detail(request: HttpRequest, pk: int, item_type: str) -> HttpResponse:
    item = permitted(
        request.user, ITEMS[item_type]["view_perm"], _item_or_404(item_type, pk), hidden_unless=True
    )
    can_edit = may(request.user, ITEMS[item_type]["perm"], item)
    return render(
        request,
        "matching/item_detail.html",
        {
            "item": item,
            "item_type": item_type,
            "item_label": ITEMS[item_type]["label"],
            "can_edit": can_edit,
            "party_url": selectors.party_url(item.party),
            "can_view_suggestions": may(request.user, "matching.view_suggestions", item.party),
            "party_key": PartyRef.of(item.party).key,
            "history": history_entries(item) if may(request.user, "matching.view_history", item) else None,
        },
    )


def _item_form_page(request: HttpRequest, form, item_type: str, save, done: str, **context) -> HttpResponse:
    """The need/offer form, new or edited. `save(cleaned_data)` returns the saved item; `done` is
    the success message, its %(label)s and %(title)s filled in from the item."""
    label = ITEMS[item_type]["label"]
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            item = save(dict(form.cleaned_data))
            messages.success(request, done % {"label": label, "title": item.title})
            return redirect(f"matching:{item_type}_detail", pk=item.pk)
    context = {"form": form, "item_type": item_type, "item_label": label, **context}
    return render(request, "matching/item_form.html", context)


@login_required
def item_create(request: HttpRequest, item_type: str) -> HttpResponse:
    config = ITEMS[item_type]
    parties = selectors.user_parties(request.user)
    wanted = request.POST.get("party") or request.GET.get("party")
    on_behalf = None
    if (
        wanted
        and may(request.user, "matching.post_for_any_party")
        and wanted not in {c.ref.key for c in parties}
    ):
        # Staff post for any group, business or department that asked them to (代理で登録).
        ref, party = _party_or_404(wanted)
        on_behalf = selectors.PartyChoice(ref, party)
        parties = [on_behalf, *parties]
    if not parties:
        messages.info(
            request,
            _(
                "ニーズや提供を登録するには、団体の編集者か、承認された企業・事業者のメンバーである必要があります。"
            ),
        )
        return redirect("matching:business_create")
    choices = [(c.ref.key, c.label) for c in parties]
    initial = {"party": request.GET.get("party")} if request.GET.get("party") else {}
    form = ItemForm(
        request.POST or None, party_choices=choices, title_help=config["title_help"], initial=initial
    )

    def save(data: dict):
        key = data.pop("party")
        party = next(c.party for c in parties if c.ref.key == key)
        return config["create"](party=party, by=request.user, **data)

    done = _("%(label)s「%(title)s」を登録しました。")
    return _item_form_page(request, form, item_type, save, done, on_behalf=on_behalf)


@login_required
def item_edit(request: HttpRequest, pk: int, item_type: str) -> HttpResponse:
    config = ITEMS[item_type]
    item = permitted(request.user, config["perm"], _item_or_404(item_type, pk))
    initial = {
        "title": item.title,
        "kind": item.kind,
        "deliverable": item.deliverable,
        "description": item.description,
        "themes": list(item.themes.all()),
        "areas": list(item.areas.all()),
    }
    form = ItemForm(request.POST or None, initial=initial, title_help=config["title_help"])

    def save(data: dict):
        config["update"](item, by=request.user, **data)
        return item

    done = _("%(label)s「%(title)s」を更新しました。")
    return _item_form_page(request, form, item_type, save, done, item=item)


@login_required
@require_POST
def item_close(request: HttpRequest, pk: int, item_type: str) -> HttpResponse:
    """POST is_open=0 closes (締め切る), is_open=1 reopens."""
    config = ITEMS[item_type]
    item = permitted(request.user, config["perm"], _item_or_404(item_type, pk))
    is_open = request.POST.get("is_open") == "1"
    services.item_set_open(item=item, is_open=is_open)
    if is_open:
        messages.success(request, _("「%(title)s」の募集を再開しました。") % {"title": item.title})
    else:
        messages.success(
            request, _("「%(title)s」を締め切りました。今後は提案に表示されません。") % {"title": item.title}
        )
    return redirect(safe_next(request, reverse(f"matching:{item_type}_detail", args=[item.pk])))


# --- Businesses and departments ------------------------------------------------------------------


@require_GET
def business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = permitted(
        request.user,
        "matching.view_business",
        get_object_or_404(Business.objects.prefetch_related("themes", "areas"), pk=pk),
        hidden_unless=True,
    )
    can_edit = may(request.user, "matching.change_business", business)
    ref = PartyRef.of(business)
    needs, offers = selectors.items_of(ref)
    if not can_edit:
        needs, offers = [n for n in needs if n.is_open], [o for o in offers if o.is_open]
    return render(
        request,
        "matching/business_detail.html",
        {
            "business": business,
            "can_edit": can_edit,
            "needs": needs,
            "offers": offers,
            "party_key": ref.key,
            "history": history_entries(business)
            if may(request.user, "matching.view_history", business)
            else None,
        },
    )


@login_required
def business_create(request: HttpRequest) -> HttpResponse:
    form = BusinessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        business = services.business_create(created_by=request.user, **data)
        messages.success(
            request, _("企業・事業者のプロフィールを登録しました。センター職員の承認をお待ちください。")
        )
        return redirect(business)
    return render(request, "matching/business_form.html", {"form": form})


@login_required
def business_edit(request: HttpRequest, pk: int) -> HttpResponse:
    business = permitted(request.user, "matching.change_business", get_object_or_404(Business, pk=pk))
    form = BusinessForm(request.POST or None, instance=business)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.business_update(business=Business.objects.get(pk=pk), **data)
        messages.success(request, _("プロフィールを更新しました。"))
        return redirect(business)
    return render(request, "matching/business_form.html", {"form": form, "business": business})


@require_GET
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(
        Department.objects.filter(is_active=True).prefetch_related("themes", "areas"), pk=pk
    )
    ref = PartyRef.of(department)
    needs, offers = selectors.items_of(ref)
    return render(
        request,
        "matching/department_detail.html",
        {
            "department": department,
            "needs": [n for n in needs if n.is_open],
            "offers": [o for o in offers if o.is_open],
            "party_key": ref.key,
            "can_view_suggestions": may(request.user, "matching.view_suggestions", department),
        },
    )


# --- Suggestions ---------------------------------------------------------------------------------


@login_required
@require_GET
def suggestions(request: HttpRequest, party: str) -> HttpResponse:
    ref, obj = _party_or_404(party)
    permitted(request.user, "matching.view_suggestions", obj)
    can_manage_matches = may(request.user, "matching.manage_matches")
    return render(
        request,
        "matching/suggestions.html",
        {
            "party": obj,
            "ref": ref,
            "suggestion_list": _suggestion_list(ref, obj, can_manage_matches=can_manage_matches),
            "eligible": selectors.party_is_eligible(obj),
            "party_url": selectors.party_url(obj),
        },
    )


def _suggestion_list(ref, party, *, can_manage_matches: bool) -> str:
    """The ranked list as HTML, kept like the ranking itself (the same versions in the key): it is
    the same for everyone who may manage matches (and for everyone who may not); rendering twenty
    cards cost more than reading the kept ranking."""
    scopes = versions(selectors.SUGGESTIONS_CACHE_SCOPES)
    key = f"matching:suggestions:html:v1:{scopes}:{get_language()}:{ref.key}:{int(can_manage_matches)}"
    html = cache.get(key)
    if html is None:
        _party, rows = selectors.cached_suggestions_for(ref, party=party)
        html = render_to_string(
            "matching/_suggestion_list.html", {"rows": rows, "can_manage_matches": can_manage_matches}
        )
        cache.set(key, html, selectors.SUGGESTIONS_CACHE_SECONDS)
    return mark_safe(html)  # rendered by the template engine, escaped there


# --- Staff: businesses ---------------------------------------------------------------------------


@login_required
@permission_required("matching.manage_matches")
def staff_business_queue(request: HttpRequest) -> HttpResponse:
    return _render_business_queue(request)


def _render_business_queue(request, *, errors=None, reasons=None, status=200) -> HttpResponse:
    businesses = list(selectors.pending_businesses())
    for business in businesses:
        business.return_error = (errors or {}).get(business.pk, "")
        business.return_reason = (reasons or {}).get(business.pk, "")
    return render(request, "matching/staff_business_queue.html", {"businesses": businesses}, status=status)


@login_required
@require_POST
@permission_required("matching.manage_matches")
def staff_business_decide(request: HttpRequest, pk: int) -> HttpResponse:
    business = get_object_or_404(Business, pk=pk)
    if request.POST.get("decision") == "approve":
        services.business_approve(business=business, by=request.user)
        messages.success(
            request, _("「%(name)s」を承認しました。事業者にメールで知らせます。") % {"name": business.name}
        )
    elif request.POST.get("decision") == "return":
        reason = request.POST.get("reason", "")
        try:
            services.business_return(business=business, reason=reason, by=request.user)
        except ValidationError as exc:
            # The queue again, with the message beside this business's reason box (kept as typed).
            return _render_business_queue(
                request,
                errors={business.pk: " ".join(exc.messages)},
                reasons={business.pk: reason},
                status=400,
            )
        messages.success(
            request,
            _("「%(name)s」を差し戻しました。理由は事業者のページとメールで伝わります。")
            % {"name": business.name},
        )
    return redirect("matching:staff_business_queue")


# --- Staff: introductions and the pipeline -------------------------------------------------------


@login_required
@permission_required("matching.manage_matches")
def introduce(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """Staff turn a suggestion (party a ↔ party b) into a match: 提案 only, or 紹介 with e-mails."""
    ref_a, party_a = _party_or_404(a)
    ref_b, party_b = _party_or_404(b)
    suggestion = selectors.suggestion_between(ref_a, ref_b)
    pairing = suggestion.best_pairing if suggestion else None
    initial = {"origin_consultation": request.GET.get("consultation") or None}
    if pairing:
        initial.update(need=pairing.need.id, offer=pairing.offer.id)
    form = IntroductionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        need = Need.objects.filter(pk=data["need"]).first() if data.get("need") else None
        offer = Offer.objects.filter(pk=data["offer"]).first() if data.get("offer") else None
        # The need's party is side A when there is a need.
        if need is not None and PartyRef.of(need.party) == ref_b:
            party_a, party_b = party_b, party_a
        with refusals_on_form(form):
            match = services.match_create(
                party_a=party_a,
                party_b=party_b,
                created_by=request.user,
                need=need,
                offer=offer,
                note=data["note"],
                program=data["program"],
                origin_event=data["origin_event"],
                origin_consultation=data["origin_consultation"],
            )
            if request.POST.get("action") == "introduce":
                services.match_introduce(match=match, by=request.user, note=data["note"])
                messages.success(request, _("紹介しました。両者にメールでお知らせします。"))
            else:
                messages.success(request, _("提案として保存しました。"))
            return redirect(match)
    return render(
        request,
        "matching/introduce.html",
        {
            "form": form,
            "party_a": party_a,
            "party_b": party_b,
            "suggestion": suggestion,
            "pairing": pairing,
            "ref_a": ref_a,
        },
    )


@login_required
@require_GET
@permission_required("matching.manage_matches")
def pipeline(request: HttpRequest) -> HttpResponse:
    # An invalid condition is an error next to its field, never every match.
    filterset, columns = selectors.pipeline(data=request.GET)
    column_list = [
        {"status": status, "label": MatchStatus(status).label, "matches": matches}
        for status, matches in columns.items()
    ]
    return render(
        request,
        "matching/pipeline.html",
        {"filter": filterset, "columns": column_list, "count": sum(len(c["matches"]) for c in column_list)},
        status=400 if filterset.errors else 200,
    )


@login_required
@permission_required("matching.manage_matches")
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        match = selectors.match_detail(pk)
    except Match.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "matching/match_detail.html",
        {
            "match": match,
            "history": selectors.match_history(match),
            "form": TransitionForm(match=match) if match.allowed_transitions() else None,
            "url_a": selectors.party_url(match.party_a),
            "url_b": selectors.party_url(match.party_b),
        },
    )


@login_required
@require_POST
@permission_required("matching.manage_matches")
def match_transition(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(Match, pk=pk)
    form = TransitionForm(request.POST, match=match)
    if not form.is_valid():
        # Not one of the allowed next states: say so in words, change nothing.
        wanted = request.POST.get("to_status", "")
        label = MatchStatus(wanted).label if wanted in MatchStatus.values else wanted
        messages.error(
            request,
            _("「%(from)s」から「%(to)s」へは変更できません。")
            % {"from": match.get_status_display(), "to": label},
        )
        return redirect(safe_next(request, match.get_absolute_url()))
    with refusal_as_message(request):
        services.match_transition(
            match=match,
            to_status=form.cleaned_data["to_status"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("「%(match)s」を「%(to)s」にしました。")
            % {"match": match, "to": MatchStatus(form.cleaned_data["to_status"]).label},
        )
        if Match.objects.filter(pk=match.pk, status=MatchStatus.CONCLUDED, need__is_open=True).exists():
            # A concluded match usually ends the search: ask, on the match's page, whether to close.
            return redirect(match.get_absolute_url())
    return redirect(safe_next(request, match.get_absolute_url()))


@login_required
@require_POST
@permission_required("matching.manage_matches")
def match_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Sends the introduction e-mails again after a failure."""
    match = get_object_or_404(Match, pk=pk)
    with refusal_as_message(request):
        match = services.match_send_introduction_mail(match=match)
        if match.mail_error:
            messages.error(request, _("メールを送れませんでした: %(error)s") % {"error": match.mail_error})
        else:
            messages.success(request, _("紹介メールを送りました。"))
    return redirect(match)
