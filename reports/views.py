"""Pages of the reports: the list per year (staff and committee), downloads, and the staff page
for recording outcome episodes. Every write goes through reports.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.filters import query_choice_errors
from core.fiscal import current_fiscal_year, fiscal_year_label
from core.permissions import may, permission_required
from core.shortcuts import refusal_as_message, refusals_on_form, render_filtered
from events.models import Program
from reports import selectors, services
from reports.forms import AssessmentForm, OutcomeRecordForm, ReportRequestForm
from reports.models import OutcomeRecord, Report, ReportStatus

FIRST_YEAR, LAST_YEAR = 1989, 2100


def _year_in_range(year: int) -> int:
    """A fiscal year in a path: one the center can have reported on, or 404 (never a 500)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(_("その年度の報告書はありません。"))
    return year


def _page_year(value: str) -> int | None:
    """The fiscal year a page of reports can show, or None."""
    return int(value) if value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR else None


def _year_from(request: HttpRequest, default: int) -> int:
    return _page_year(request.GET.get("year", "")) or default


def _query_errors(request: HttpRequest, *, programs=None) -> dict[str, str]:
    """An unknown year or program is an error on the page, never another year's reports."""
    fields = {"year": (_("年度"), {str(year) for year in range(FIRST_YEAR, LAST_YEAR + 1)})}
    if programs is not None:
        fields["program"] = (_("事業"), {program.code for program in programs})
    return query_choice_errors(request.GET, fields)


def _index_url(year: int) -> str:
    return f"{reverse('reports:index')}?year={year}"


def _index_page(
    request: HttpRequest,
    *,
    year: int | None,
    template: str = "reports/index.html",
    status: int = 200,
    **errors,
) -> HttpResponse:
    """The reports of `year`. Without a year (the one asked for is none the page shows) only the
    year tabs and `errors`, never the reports of another year."""
    context = {
        "year": year,
        "year_label": fiscal_year_label(year) if year else "",
        "years": [(y, fiscal_year_label(y)) for y in selectors.report_years()],
        **errors,
    }
    if year is not None:
        lines = selectors.report_lines(fiscal_year=year)
        staff = may(request.user, "reports.request_report")
        # Staff see why a year outside the requests has no buttons (they would only be refused).
        year_refusal = services.report_year_refusal(year) if staff else ""
        context |= {
            "lines": lines,
            "any_active": any(line.report and line.report.is_active for line in lines),
            "can_request": staff and not year_refusal,
            "year_refusal": year_refusal,
        }
    return render(request, template, context, status=status)


@login_required
@require_GET
@permission_required("reports.access_reports")
def index(request: HttpRequest) -> HttpResponse:
    if query_errors := _query_errors(request):
        return _index_page(request, year=None, query_errors=query_errors, status=400)
    template = "reports/_report_table.html" if request.htmx else "reports/index.html"
    return _index_page(request, year=_year_from(request, current_fiscal_year() - 1), template=template)


@login_required
@require_POST
@permission_required("reports.request_report")
def report_request(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        # Nothing is made. The errors are shown on the page of the year sent when the page can
        # show it (a year too old to request), never on another year's page.
        year = _page_year(request.POST.get("fiscal_year", ""))
        return _index_page(request, year=year, request_form=form, status=400)
    program, year = form.cleaned_data["program"], form.cleaned_data["fiscal_year"]
    report, created = services.report_request(program=program, fiscal_year=year, requested_by=request.user)
    if created:
        messages.success(request, _("%(report)sの作成を依頼しました。") % {"report": report})
    else:
        messages.info(
            request,
            _("%(report)sは作成中です。新しい依頼はせず、この依頼の完了を待ちます。") % {"report": report},
        )
    return redirect(_index_url(year))


@login_required
@require_POST
@permission_required("reports.request_report")
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.select_related("program"), pk=pk)
    with refusal_as_message(request):
        services.report_retry(report=report, requested_by=request.user)
        messages.success(request, _("%(report)sをもう一度依頼しました。") % {"report": report})
    return redirect(_index_url(report.fiscal_year))


@login_required
@require_GET
@permission_required("reports.download_report")
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = get_object_or_404(Report.objects.select_related("program"), pk=pk)
    if report.status != ReportStatus.DONE or not report.pdf:
        raise Http404(_("この報告書のPDFはまだありません。"))
    try:
        handle = report.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("PDFファイルが見つかりません。作成し直してください。")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=report.download_filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Staff: outcome episodes --------------------------------------------------------------------


@login_required
@require_GET
@permission_required("reports.record_outcomes")
def outcome_list(request: HttpRequest) -> HttpResponse:
    filterset, records = selectors.outcome_records_for_staff(data=request.GET)
    year = filterset.chosen_year or current_fiscal_year()
    context = {
        "year": year,
        "year_label": fiscal_year_label(year),
        "program_code": request.GET.get("program", "") if not filterset.errors else "",
    }
    return render_filtered(request, "reports/outcome_list.html", filterset, records, context)


def _outcome_form_page(request: HttpRequest, *, record: OutcomeRecord | None) -> HttpResponse:
    initial = {}
    if record is None:
        initial = {"fiscal_year": _year_from(request, current_fiscal_year())}
        if code := request.GET.get("program"):
            initial["program"] = Program.objects.filter(code=code).first()
    form = OutcomeRecordForm(request.POST or None, instance=record, initial=initial)
    if request.method == "POST" and form.is_valid():
        # The record's fields and what it links to, as both services take them.
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        with refusals_on_form(form):
            if record is None:
                record = services.outcome_record_create(**data, recorded_by=request.user)
                messages.success(request, _("成果を記録しました。"))
            else:
                services.outcome_record_update(record=record, **data)
                messages.success(request, _("成果を更新しました。"))
            url = f"{reverse('reports:outcome_list')}?year={record.fiscal_year}"
            if record.program_id:
                url += f"&program={record.program.code}"
            return redirect(url)
    return render(request, "reports/outcome_form.html", {"form": form, "record": record})


@login_required
@permission_required("reports.record_outcomes")
def outcome_create(request: HttpRequest) -> HttpResponse:
    return _outcome_form_page(request, record=None)


@login_required
@permission_required("reports.record_outcomes")
def outcome_update(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(OutcomeRecord.objects.select_related("program"), pk=pk)
    return _outcome_form_page(request, record=record)


# --- Staff: the assessment, the check before 確定, and 確定 ----------------------------------------------


def _program_of(code: str) -> Program | None:
    """ "all" is 全事業; any other code must be a program."""
    if code == "all":
        return None
    return get_object_or_404(Program, code=code)


def _assessment_url(year: int, code: str) -> str:
    return reverse("reports:assessment", args=[year, code])


@login_required
@permission_required("reports.record_outcomes")
def assessment_edit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The assessment of a program and year, what the check before 確定 finds, and the 版."""
    year = _year_in_range(year)
    program = _program_of(code)
    assessment = selectors.assessment_of(program=program, fiscal_year=year)
    form = AssessmentForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        services.assessment_save(
            program=program,
            fiscal_year=year,
            summary=form.cleaned_data["summary"],
            issues=form.cleaned_data["issues"],
            targets=form.targets,
            axis_notes=form.axis_notes,
            updated_by=request.user,
        )
        messages.success(request, _("評価を保存しました。"))
        return redirect(_assessment_url(year, code))
    versions = selectors.report_versions(program=program, fiscal_year=year)
    return render(
        request,
        "reports/assessment_form.html",
        {
            "form": form,
            "year": year,
            "year_label": fiscal_year_label(year),
            "code": code,
            "program_name": program.name if program else _("全事業"),
            "findings": selectors.report_findings(program=program, fiscal_year=year),
            "versions": versions,
            "can_finalize": may(request.user, "reports.request_report")
            and not services.report_year_refusal(year),
        },
    )


@login_required
@require_POST
@permission_required("reports.request_report")
def report_finalize(request: HttpRequest, year: int, code: str) -> HttpResponse:
    year = _year_in_range(year)
    program = _program_of(code)
    try:
        report = services.report_finalize(program=program, fiscal_year=year, requested_by=request.user)
    except ValidationError as error:
        messages.error(request, _("確定できませんでした。") + " ".join(error.messages))
        return redirect(_assessment_url(year, code))
    messages.success(
        request,
        _("%(report)sの%(version)sの作成を依頼しました。")
        % {"report": report, "version": report.version_label},
    )
    return redirect(_index_url(year))


# --- The figures behind a report, for Excel -------------------------------------------------------------


def _report_with_figures(request: HttpRequest, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("program"), pk=pk)
    if report.status != ReportStatus.DONE or not (report.figures or {}).get("rows"):
        raise Http404(_("この報告書の数値の記録はありません。報告書を作り直してください。"))
    return report


@login_required
@require_GET
@permission_required("reports.download_report")
def report_figures_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The figures as printed, as a CSV Excel opens (UTF-8 with BOM; formulas neutralised)."""
    from core.csv import csv_response

    report = _report_with_figures(request, pk)
    name = report.download_filename.removesuffix(".pdf") + "-figures.csv"
    return csv_response(report.figures["rows"], name, header=report.figures["header"])


@login_required
@require_GET
@permission_required("reports.download_report")
def report_figures_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same figures as an .xlsx for the committee: one sheet, header frozen, numbers as numbers."""
    from reports.exports import figures_workbook

    report = _report_with_figures(request, pk)
    response = HttpResponse(
        figures_workbook(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = report.download_filename.removesuffix(".pdf") + "-figures.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
