"""Staff pages for consultations. Every page asks consultations.rules first and logs what it shows."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consultations import selectors, services
from consultations.charts import stacked_bar_svg
from consultations.forms import (
    ConsultationForm,
    FollowUpForm,
    PartySearchForm,
    ReferralForm,
    ReferralResultForm,
    RelatedLinksForm,
    StatisticsForm,
)
from consultations.models import AccessAction, Consultation, FollowUp, Referral
from core.csv import csv_response
from core.filters import (
    form_errors_text,
    invalid_filter_response,
    invalid_form_response,
    query_choice_errors,
)
from core.fiscal import fiscal_year_label, fiscal_year_of
from core.pagecache import kept
from core.permissions import may, permission_required, permitted
from core.shortcuts import paginate, refusals_on_form, render_filtered, safe_next

# The record pages are for the staff who keep consultations (consultations.rules). Like every
# permission_required, it sends a visitor who is not signed in to the sign-in page first.
staff_required = permission_required("consultations.access")


def _page_of_rows(request: HttpRequest, queryset):
    """A page of group_consultations(), its rows read (ConsultationRow)."""
    page_obj = paginate(request, queryset)
    page_obj.object_list = selectors.consultation_rows(page_obj.object_list)
    return page_obj


def _log_view(request: HttpRequest, records) -> None:
    services.access_log_write(
        user=request.user, action=AccessAction.VIEW, consultations=records, path=request.get_full_path()
    )


# What the list's filter form shows: the topics (bumped with the consultations) and the staff.
SEARCH_FORM_SCOPES = ("consultations", "consultations.staff")


def _shared_name(request: HttpRequest, filterset, part: str) -> str | None:
    """The cache name of a part of the list that is the same for every staff member asking for
    the same conditions on the same day (the day sets the fiscal years and the date filters);
    None when the conditions have errors or a typed keyword (which may name a person): such a
    part is made for the request alone."""
    if filterset.errors or any(request.GET.get(name) for name in services.FREE_TEXT_PARAMETERS):
        return None
    query = request.GET.copy()
    query.pop("page", None)
    return f"consultations:{part}|{get_language()}|{timezone.localdate()}|{query.urlencode()}"


def _search_form(request: HttpRequest, filterset) -> str:
    """The list's filter form as HTML. Rendering it (ten fields, the topic and staff choices read
    from the database) cost more than the rest of the page: it is kept under the versions of what
    it shows."""

    def build() -> str:
        return str(render_to_string("consultations/_search_form.html", {"filter": filterset}, request))

    name = _shared_name(request, filterset, "search_form")
    return build() if name is None else kept(name, SEARCH_FORM_SCOPES, build)


# What a page of the list's rows shows: the records with their topics, the groups' and people's
# names, the staff's names.
ROW_SCOPES = ("consultations", "consultations.staff", "consultations.parties", "groups")
LIST_CAPTION = gettext_lazy("相談記録（新しい順）")


def _rows_and_table(request: HttpRequest, filterset, page_obj) -> tuple[list, str]:
    """The page's rows (selectors.ConsultationRow) and their table as HTML. Reading them (two
    queries) and rendering twenty rows cost a third of the page, so they are kept like the form,
    for everyone asking for the same conditions and page on the same day, under the versions of
    all they show. Names of people who asked for advice stay in the cache no longer than
    PUBLIC_PAGE_CACHE_SECONDS, and a page after an anonymisation is read again."""

    def build() -> tuple[list, str]:
        rows = selectors.consultation_rows(page_obj.object_list)
        context = {"consultations": rows, "caption": LIST_CAPTION}
        return rows, str(render_to_string("consultations/_table.html", context))

    name = _shared_name(request, filterset, f"rows:{page_obj.number}")
    return build() if name is None else kept(name, ROW_SCOPES, build)


def _row_count(request: HttpRequest, filterset, queryset) -> Callable[[], int]:
    """How many consultations match, for the pager: COUNT(*) reads every matching row (all of
    them for the unfiltered list, which grows by thousands a year), so the number is kept like
    the form, under the consultations' version (any record saved or deleted changes it)."""
    name = _shared_name(request, filterset, "count")
    return queryset.count if name is None else lambda: kept(name, ("consultations",), queryset.count)


@require_GET
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    filterset, queryset = selectors.consultation_list(data=request.GET)
    page_obj = paginate(request, queryset, count=_row_count(request, filterset, queryset))
    page_obj.object_list, table = _rows_and_table(request, filterset, page_obj)
    _log_view(request, page_obj.object_list)
    return render(
        request,
        "consultations/index.html",
        {
            "filter": filterset,
            "search_form": mark_safe(_search_form(request, filterset)),
            "page_obj": page_obj,
            "table": mark_safe(table),
        },
        status=400 if filterset.errors else 200,
    )


CSV_HEADER = [
    "ID",
    gettext_lazy("相談日"),
    gettext_lazy("年度"),
    gettext_lazy("相談方法"),
    gettext_lazy("所要時間（分）"),
    gettext_lazy("対応職員"),
    gettext_lazy("団体"),
    gettext_lazy("相談者"),
    gettext_lazy("匿名"),
    gettext_lazy("相談の分野"),
    gettext_lazy("活動分野"),
    gettext_lazy("相談内容"),
    gettext_lazy("対応内容"),
    gettext_lazy("状況"),
    gettext_lazy("つなぎ先"),
    gettext_lazy("匿名化日"),
]


def _csv_response(rows: list[list], filename: str) -> HttpResponse:
    return csv_response(rows, filename)


@require_GET
@staff_required
def export_csv(request: HttpRequest) -> HttpResponse:
    filterset, queryset = selectors.consultation_export_rows(data=request.GET)
    if filterset.errors:
        return invalid_filter_response(filterset)
    consultations = list(queryset)
    rows: list[list] = [[str(cell) for cell in CSV_HEADER]]
    for c in consultations:
        rows.append(
            [
                c.pk,
                c.consulted_on.isoformat(),
                fiscal_year_label(fiscal_year_of(c.consulted_on)),
                c.get_channel_display(),
                c.duration_minutes,
                str(c.staff),
                c.group.name if c.group else "",
                c.person.name if c.person else "",
                _("はい") if c.is_anonymous else "",
                "、".join(t.name for t in c.topics.all()),
                "、".join(str(t) for t in c.themes.all()),
                c.question,
                c.answer,
                c.get_status_display(),
                "、".join(f"{r.target}（{r.get_result_display()}）" for r in c.referrals.all()),
                timezone.localtime(c.anonymised_at).date().isoformat() if c.anonymised_at else "",
            ]
        )
    services.access_log_write(
        user=request.user,
        action=AccessAction.EXPORT,
        consultations=consultations,
        path=request.get_full_path(),
    )
    return _csv_response(rows, f"consultations-{timezone.localdate():%Y%m%d}.csv")


def _without_errors(form):
    """A bound form shown again while searching: keeps what was typed, shows no error yet."""
    form._errors = ErrorDict()
    form.cleaned_data = {}
    return form


def _record_form_page(
    request: HttpRequest,
    form: ConsultationForm,
    *,
    searching: bool,
    title: str,
    consultation: Consultation | None = None,
) -> HttpResponse:
    """The record form, a new record's or one being edited, with the client search's results."""
    q = form.data.get("party_q", "") if form.is_bound else ""
    results = selectors.party_search(q=q, kinds=("group", "person")) if q.strip() else []
    return render(
        request,
        "consultations/form.html",
        {
            "form": form,
            "results": results,
            "searching": searching,
            "consultation": consultation,
            "title": title,
        },
    )


@staff_required
def create(request: HttpRequest) -> HttpResponse:
    initial = {}
    for name in ("group", "person"):
        if request.GET.get(name, "").isdigit():
            initial[name] = request.GET[name]
    form = ConsultationForm(request.POST or None, user=request.user, initial=initial)
    searching = "_search" in request.POST
    if searching:
        _without_errors(form)
    elif request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            consultation = _save_new(request, form)
            messages.success(request, _("相談記録を保存しました。"))
            if "_another" in request.POST:
                return redirect("consultations:create")
            return redirect(consultation)
    return _record_form_page(request, form, searching=searching, title=_("相談を記録する"))


def _new_person(data: dict) -> dict[str, str]:
    return {
        "name": data["new_person_name"],
        "name_kana": data["new_person_kana"],
        "phone": data["new_person_phone"],
    }


def _record_fields(data: dict) -> dict:
    """What the record form says of a consultation, as consultation_create and _update take it."""
    fields = {name: data[name] for name in services.CHANGEABLE_FIELDS}
    return {**fields, "topics": data["topics"], "themes": data["themes"], "new_person": _new_person(data)}


def _save_new(request: HttpRequest, form: ConsultationForm) -> Consultation:
    data = form.cleaned_data
    return services.consultation_create(
        actor=request.user,
        **_record_fields(data),
        follow_up_due_on=data.get("follow_up_due_on"),
        follow_up_description=data.get("follow_up_description", ""),
        path=request.path,
    )


@staff_required
def update(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(Consultation.objects.prefetch_related("topics", "themes"), pk=pk)
    if not may(request.user, "consultations.change_record", consultation):
        messages.error(request, _("匿名化した相談記録は変更できません。"))
        return redirect(consultation)
    form = ConsultationForm(request.POST or None, user=request.user, instance=consultation)
    searching = "_search" in request.POST
    if searching:
        _without_errors(form)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on_form(form):
            services.consultation_update(
                consultation=consultation, actor=request.user, path=request.path, **_record_fields(data)
            )
            messages.success(request, _("相談記録を更新しました。"))
            return redirect(consultation)
    elif request.method == "GET":
        _log_view(request, [consultation])
    return _record_form_page(
        request, form, searching=searching, title=_("相談記録を編集する"), consultation=consultation
    )


def _detail_context(request: HttpRequest, consultation: Consultation, **forms) -> dict:
    """The record page's context; `forms` are posted forms shown again with their errors
    (referral_form, result_form, follow_up_form, links_form), the others are blank."""
    posted_result = forms.get("result_form")
    return {
        "consultation": consultation,
        "referral_form": forms.get("referral_form") or ReferralForm(),
        "referral_results": forms.get("referral_results", []),
        # Each referral with its result form: the posted one for the referral it was posted for.
        "referrals": [
            (
                referral,
                posted_result
                if posted_result is not None and posted_result.referral.pk == referral.pk
                else ReferralResultForm(referral=referral),
            )
            for referral in consultation.referrals.all()
        ],
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(user=request.user),
        "links_form": forms.get("links_form") or RelatedLinksForm(consultation=consultation),
        "result_choices": ReferralResultForm.base_fields["result"].choices,
        "today": timezone.localdate(),
        "retention_years": settings.CONSULTATION_RETENTION_YEARS,
        # The callers have written the access log for this consultation: the history is part of it.
        "history": selectors.consultation_history(consultation)
        if may(request.user, "consultations.view_history", consultation)
        else None,
    }


@require_GET
@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        consultation = selectors.consultation_detail(pk=pk)
    except Consultation.DoesNotExist as missing:
        raise Http404 from missing
    _log_view(request, [consultation])
    return render(request, "consultations/detail.html", _detail_context(request, consultation))


def _detail_page(request: HttpRequest, pk: int, **forms) -> HttpResponse:
    """The record page again after a POST, with the posted forms of `forms` (_detail_context)."""
    consultation = selectors.consultation_detail(pk=pk)
    _log_view(request, [consultation])
    return render(request, "consultations/detail.html", _detail_context(request, consultation, **forms))


def _record_to_change(request: HttpRequest, pk: int) -> Consultation:
    """The consultation a POST is about to change: 404 when there is none, 403 when it may not
    be changed (an anonymised record)."""
    return permitted(request.user, "consultations.change_record", get_object_or_404(Consultation, pk=pk))


def _to_section(consultation: Consultation, section: str) -> HttpResponse:
    """Back to the record page at the section a form was posted from (referrals, follow-ups, links)."""
    return redirect(f"{consultation.get_absolute_url()}#{section}")


def _section_post(
    request: HttpRequest,
    form,
    save: Callable[[dict], object],
    *,
    consultation: Consultation,
    section: str,
    done: str,
    form_name: str,
) -> HttpResponse:
    """A small form of the record page: `save` (a service) takes the cleaned data, `done` is the
    message, and the page opens at the form's section. An invalid form, or one the service
    refuses, is the record page again with the form as `form_name` (_detail_context): the errors
    next to the fields and what was chosen and typed kept, which a redirect would lose."""
    if form.is_valid():
        with refusals_on_form(form):
            save(form.cleaned_data)
            messages.success(request, done)
            return _to_section(consultation, section)
    return _detail_page(request, consultation.pk, **{form_name: form})


@require_POST
@staff_required
def referral_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _record_to_change(request, pk)
    form = ReferralForm(request.POST)
    if "_search" not in request.POST and form.is_valid():
        target = form.cleaned_data["target_object"]
        # A note the model refuses (a control character, too long) is said next to it, with
        # what was typed kept: it was a 500.
        with refusals_on_form(form):
            services.referral_create(
                consultation=consultation,
                actor=request.user,
                department=form.cleaned_data["department"],
                group=target if target and target._meta.model_name == "group" else None,
                business=target if target and target._meta.model_name == "business" else None,
                note=form.cleaned_data["note"],
                path=request.path,
            )
            messages.success(request, _("つなぎ先を追加しました。"))
            return _to_section(consultation, "referrals")
    q = request.POST.get("target_q", "")
    results = selectors.party_search(q=q, kinds=("group", "business")) if q.strip() else []
    if "_search" in request.POST:
        form = _without_errors(ReferralForm(request.POST))
    return _detail_page(request, pk, referral_form=form, referral_results=results)


@require_POST
@staff_required
def referral_result(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("consultation"), pk=pk)
    permitted(request.user, "consultations.change_record", referral.consultation)
    return _section_post(
        request,
        ReferralResultForm(request.POST, referral=referral),
        lambda data: services.referral_record_result(
            referral=referral, actor=request.user, path=request.path, **data
        ),
        consultation=referral.consultation,
        section="referrals",
        done=_("つなぎ先の結果を記録しました。"),
        form_name="result_form",
    )


@require_POST
@staff_required
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _record_to_change(request, pk)
    return _section_post(
        request,
        FollowUpForm(request.POST, user=request.user),
        lambda data: services.follow_up_create(
            consultation=consultation, actor=request.user, path=request.path, **data
        ),
        consultation=consultation,
        section="follow-ups",
        done=_("フォローアップを追加しました。"),
        form_name="follow_up_form",
    )


@require_POST
@staff_required
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.select_related("consultation"), pk=pk)
    # An anonymised record is kept for the figures only, like its other forms (_record_to_change).
    permitted(request.user, "consultations.change_record", follow_up.consultation)
    services.follow_up_complete(follow_up=follow_up, actor=request.user, path=request.path)
    messages.success(request, _("フォローアップを完了にしました。"))
    # From the follow-ups page: back to the same page of it (its lists and filter).
    next_url = safe_next(request)
    if next_url:
        return redirect(next_url)
    return _to_section(follow_up.consultation, "follow-ups")


@require_POST
@staff_required
def related_links_set(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _record_to_change(request, pk)
    return _section_post(
        request,
        RelatedLinksForm(request.POST, consultation=consultation),
        lambda data: services.consultation_update(
            consultation=consultation, actor=request.user, path=request.path, **data
        ),
        consultation=consultation,
        section="links",
        done=_("この相談から生まれた催し・協働事業を更新しました。"),
        form_name="links_form",
    )


@require_GET
@staff_required
def party_search(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type for the record screen (htmx fragment); a plain page without JavaScript."""
    q = request.GET.get("q", "") or request.GET.get("party_q", "") or request.GET.get("target_q", "")
    search = PartySearchForm({"q": q, "mode": request.GET.get("mode", "")})
    valid = search.is_valid()
    mode = (search.cleaned_data["mode"] if valid else "") or "client"
    kinds = ("group", "business") if mode == "referral" else ("group", "person")
    results = selectors.party_search(q=q, kinds=kinds) if valid and q.strip() else []
    template = "consultations/_party_results.html" if request.htmx else "consultations/party_search.html"
    # The fragment and the page answer alike: a 400 that says what is wrong, and no candidates.
    context = {"results": results, "q": q if valid else "", "mode": mode}
    context["search_error"] = "" if valid else form_errors_text(search)
    return render(request, template, context, status=200 if valid else 400)


@require_GET
@staff_required
def group_history(request: HttpRequest, group_id: int) -> HttpResponse:
    from groups.models import Group

    group = get_object_or_404(Group, pk=group_id)
    page_obj = _page_of_rows(request, selectors.group_consultations(group=group))
    _log_view(request, page_obj.object_list)
    return render(request, "consultations/group_history.html", {"group": group, "page_obj": page_obj})


@require_GET
@staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    query_errors = query_choice_errors(request.GET, {"mine": (_("担当"), {"1"})})
    if query_errors:
        context = {"query_errors": query_errors, "mine": False}
        return render(request, "consultations/follow_ups.html", context, status=400)
    mine = request.GET.get("mine") == "1"
    due = selectors.follow_ups_due(owner=request.user if mine else None)
    # Each list is paged on its own, so that a backlog of overdue follow-ups never pushes this
    # week's off the first page, and the page's size stays the same however large the backlog.
    overdue, this_week = (
        paginate(
            request,
            due[part] if due["counts"][part] else [],  # none: no query for an empty page
            count=lambda part=part: due["counts"][part],
            param=f"{part}_page",
        )
        for part in ("overdue", "this_week")
    )
    for page in (overdue, this_week):
        page.object_list = selectors.follow_up_rows(page.object_list)
    _log_view(request, [f.consultation_id for f in [*overdue, *this_week]])
    context = {**due, "overdue": overdue, "this_week": this_week, "mine": mine}
    return render(request, "consultations/follow_ups.html", context)


def _statistics_chart(monthly: dict, fiscal_year: int) -> str:
    label = fiscal_year_label(fiscal_year)
    return stacked_bar_svg(
        monthly["channel"],
        title=_("%(fy)s 月別の相談件数（相談方法別）") % {"fy": label},
        description=_("%(fy)s の相談件数を月ごとに、相談方法で積み上げた棒グラフ。数値は下の表にもあります。")
        % {"fy": label},
    )


@require_GET
@staff_required
def statistics(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET)
    if not form.is_valid():
        return render(request, "consultations/statistics.html", {"form": form}, status=400)
    fiscal_year = form.year
    label = fiscal_year_label(fiscal_year)

    def figures_html(figures: dict) -> str:
        # The tables and the chart, kept with the counts: rendering five tables of counts cost more
        # than reading them from the cache. Without the request: nothing in them is personal.
        return str(
            render_to_string(
                "consultations/_statistics_figures.html",
                {**figures, "fiscal_year": fiscal_year, "fiscal_year_label": label},
            )
        )

    figures = selectors.statistics_figures(
        fiscal_year=fiscal_year, chart=_statistics_chart, html=figures_html
    )
    return render(
        request,
        "consultations/statistics.html",
        {
            "form": form,
            "fiscal_year": fiscal_year,
            "fiscal_year_label": label,
            "monthly": figures["monthly"],
            "yearly": figures["yearly"],
            "chart": figures["chart"],
            "summary": figures["summary"],
            "figures_html": mark_safe(figures["html"]),
        },
    )


@require_GET
@staff_required
def statistics_csv(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET)
    if not form.is_valid():
        # An export never silently answers for another year than the one asked for.
        return invalid_form_response(form)
    fiscal_year = form.year
    monthly = selectors.monthly_counts(fiscal_year=fiscal_year)
    first, last = selectors.default_statistics_years()
    yearly = selectors.fiscal_year_counts(first=first, last=last)
    rows: list[list] = []
    for table in (monthly["channel"], monthly["topic"], yearly["channel"], yearly["topic"]):
        rows.append([table.caption])
        rows.append(["", *table.column_labels, _("合計")])
        for label, cells, total in table.rows:
            rows.append([label, *cells, total])
        rows.append([_("合計"), *table.column_totals, table.total])
        rows.append([])
    # Counts only, no personal data; the export is still logged.
    services.access_log_write(
        user=request.user, action=AccessAction.EXPORT, consultations=[], path=request.get_full_path()
    )
    return _csv_response(rows, f"consultation-statistics-{fiscal_year}.csv")


@require_GET
@permission_required("consultations.audit")
def access_log(request: HttpRequest) -> HttpResponse:
    filterset, queryset = selectors.access_log_list(data=request.GET)
    context = {"retention": selectors.retention_status()}
    return render_filtered(request, "consultations/access_log.html", filterset, queryset, context)


@require_POST
@permission_required(("consultations.audit", "consultations.access"))
def anonymise_now(request: HttpRequest) -> HttpResponse:
    """Runs the yearly anonymisation now (e.g. after the scheduled run failed): auditors only."""
    count = services.consultations_anonymise_expired(actor=request.user, path=request.path)
    messages.success(request, _("保存期間を過ぎた相談記録 %(count)d件を匿名化しました。") % {"count": count})
    return redirect("consultations:access_log")
