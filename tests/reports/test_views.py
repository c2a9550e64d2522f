"""The reports page, downloads and the staff page for outcome episodes: who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import OutcomeRecord, Report, ReportStatus
from tests.admin_actions import run_admin_action
from tests.reports.factories import OutcomeRecordFactory, ReportFactory, program

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_report(db):
    from core.pdf import write_file_atomically

    report = ReportFactory(done=True)
    report.pdf.name = report.pdf_storage_name()
    report.save()
    write_file_atomically(__import__("pathlib").Path(report.pdf.path), b"%PDF-1.7 test")
    return report


@pytest.fixture
def users(member, staff_user, official_user, committee_user):
    return {"member": member, "staff": staff_user, "official": official_user, "committee": committee_user}


@pytest.mark.parametrize(
    ("role", "index_status", "download_status"),
    [("staff", 200, 200), ("committee", 200, 200), ("official", 403, 403), ("member", 403, 403)],
)
def test_only_staff_and_committee_see_and_download_reports(
    client, users, done_report, role, index_status, download_status
):
    client.force_login(users[role])
    assert client.get(reverse("reports:index")).status_code == index_status
    response = client.get(reverse("reports:download", args=[done_report.pk]))
    assert response.status_code == download_status
    if download_status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="outcome-report-2025-mirai_taiwa.pdf"'
        assert b"".join(response.streaming_content) == b"%PDF-1.7 test"


def test_anonymous_visitors_are_sent_to_the_login_page(client, done_report):
    for url in (
        reverse("reports:index"),
        reverse("reports:download", args=[done_report.pk]),
        reverse("reports:outcome_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_pdf_is_kept_in_private_storage_not_under_media(done_report, settings):
    """The file lives under PRIVATE_MEDIA_ROOT (never served as /media/): only the view hands it out."""
    path = str(done_report.pdf.path)
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))


def test_an_unfinished_report_has_nothing_to_download(client_for, staff_user):
    report = ReportFactory(running=True)
    assert client_for(staff_user).get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_staff_request_a_report_and_a_second_request_returns_the_running_one(
    client_for, staff_user, django_capture_on_commit_callbacks, monkeypatch
):
    from reports import services

    monkeypatch.setattr(services, "report_render_pdf", lambda **kwargs: b"%PDF-1.7 rendered")
    client = client_for(staff_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:request"), {"program": "mirai_taiwa", "fiscal_year": 2025})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:index") + "?year=2025"
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED and report.requested_by == staff_user
    assert len(callbacks) == 1  # queued after the commit

    page = client.get(reverse("reports:index") + "?year=2025")
    assert "待機中" in page.content.decode()
    assert 'hx-trigger="every 3s"' in page.content.decode()

    client.post(reverse("reports:request"), {"program": "mirai_taiwa", "fiscal_year": 2025})
    assert Report.objects.count() == 1

    callbacks[0]()  # the worker runs
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    html = client.get(reverse("reports:index") + "?year=2025").content.decode()
    assert reverse("reports:download", args=[report.pk]) in html
    assert "every 3s" not in html


def test_the_finalised_version_stays_downloadable_beside_a_rebuilt_draft(
    client_for, staff_user, committee_user, django_capture_on_commit_callbacks, monkeypatch
):
    """After 確定 (第1版) staff press 作り直す: while the draft is made and once it is done, the
    list offers the 第1版 to staff and to the committee, beside the new 案."""
    import datetime as dt

    from django.utils import timezone

    from reports import services

    monkeypatch.setattr(services, "report_render_pdf", lambda **kwargs: b"%PDF-1.7 rendered")
    final = ReportFactory(done=True, version=1, requested_at=timezone.now() - dt.timedelta(days=1))
    url = reverse("reports:index") + "?year=2025"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(staff_user).post(
            reverse("reports:request"), {"program": "mirai_taiwa", "fiscal_year": 2025}
        )
    draft = Report.objects.get(version__isnull=True)
    for user in (staff_user, committee_user):  # the draft is still waiting
        html = client_for(user).get(url).content.decode()
        assert reverse("reports:download", args=[final.pk]) in html and "PDF（第1版）" in html

    callbacks[0]()  # the worker makes the draft
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DONE
    for user in (staff_user, committee_user):
        html = client_for(user).get(url).content.decode()
        assert reverse("reports:download", args=[draft.pk]) in html and "PDF（案）" in html
        assert reverse("reports:download", args=[final.pk]) in html and "PDF（第1版）" in html


@pytest.mark.parametrize("sent", ["99999", "abc", "令和7年度", ""])
def test_a_request_for_a_year_that_is_no_fiscal_year_is_an_error_naming_it(
    client_for, staff_user, django_capture_on_commit_callbacks, sent
):
    """Nothing is made or queued; the page answers 400 with the error on the form, naming the
    value sent and the years there are, and shows no year's reports (it used to send the person
    to the default year's page with a vague message)."""
    from core.fiscal import current_fiscal_year, fiscal_year_label

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(staff_user).post(
            reverse("reports:request"), {"program": "mirai_taiwa", "fiscal_year": sent}
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html and "年度: " in html
    if sent:
        years = (
            f"{fiscal_year_label(current_fiscal_year() - 10)}〜{fiscal_year_label(current_fiscal_year() + 1)}"
        )
        assert f"「{sent}」は報告書を依頼できる年度ではありません。{years}から選んでください。" in html
    assert 'id="report-table"' not in html
    assert not Report.objects.exists() and not callbacks


def test_a_request_for_a_year_too_old_stays_on_that_years_page(client_for, staff_user):
    """A year the page shows but that cannot be requested any more: the error on that year's page."""
    from core.fiscal import current_fiscal_year, fiscal_year_label

    old = current_fiscal_year() - 20
    response = client_for(staff_user).post(reverse("reports:request"), {"program": "all", "fiscal_year": old})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"「{old}」は報告書を依頼できる年度ではありません。" in html
    assert f"{fiscal_year_label(old)}の成果報告書" in html  # the table's caption
    assert not Report.objects.exists()


def test_committee_members_may_not_request_or_retry(client_for, committee_user):
    failed = ReportFactory(failed=True)
    client = client_for(committee_user)
    assert client.post(reverse("reports:request"), {"program": "all", "fiscal_year": 2025}).status_code == 403
    assert client.post(reverse("reports:retry", args=[failed.pk])).status_code == 403
    html = client.get(reverse("reports:index") + "?year=2025").content.decode()
    assert "作成を依頼" not in html and "再試行" not in html
    assert failed.error in html and "センター職員が対応します" in html


def test_a_failed_report_shows_its_error_and_staff_retry_it(
    client_for, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import services

    monkeypatch.setattr(services, "report_render_pdf", lambda **kwargs: b"%PDF-1.7 rendered")
    failed = ReportFactory(failed=True)
    client = client_for(staff_user)
    html = client.get(reverse("reports:index") + "?year=2025").content.decode()
    assert "失敗" in html and failed.error in html and "再試行" in html
    assert "センター職員が対応します" not in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == ReportStatus.DONE


def test_the_htmx_poll_gets_only_the_table(client_for, staff_user):
    ReportFactory(running=True)
    response = client_for(staff_user).get(reverse("reports:index") + "?year=2025", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report-table"')
    assert "<html" not in html
    assert "<progress" in html and "40%" in html


def _bulk_reports(n: int) -> None:
    from events.models import Program

    programs = list(Program.objects.all())
    for year in range(2025 - n, 2026):
        for p in programs:
            ReportFactory(program=p, fiscal_year=year, done=True)
            ReportFactory(program=p, fiscal_year=year, failed=True)
            ReportFactory(program=p, fiscal_year=year)


@pytest.mark.parametrize("size", [1, 4])
def test_the_reports_page_uses_a_fixed_number_of_queries(
    client_for, staff_user, django_assert_num_queries, size
):
    _bulk_reports(size)
    client = client_for(staff_user)
    client.get(reverse("reports:index") + "?year=2025")  # session and permissions warmed up
    with django_assert_num_queries(5):
        response = client.get(reverse("reports:index") + "?year=2025")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 15])
def test_the_outcome_list_uses_a_fixed_number_of_queries(
    client_for, staff_user, django_assert_num_queries, size
):
    OutcomeRecordFactory.create_batch(size, fiscal_year=2025)
    client = client_for(staff_user)
    client.get(reverse("reports:outcome_list") + "?year=2025")
    with django_assert_num_queries(9):
        response = client.get(reverse("reports:outcome_list") + "?year=2025")
    assert response.status_code == 200


def test_staff_record_an_outcome_episode_from_the_staff_page(client_for, staff_user):
    client = client_for(staff_user)
    url = reverse("reports:outcome_create") + "?year=2025&program=mirai_taiwa"
    form = client.get(url)
    assert form.status_code == 200
    assert "見出し（○）" in form.content.decode()
    fields = {
        "program": program().pk,
        "fiscal_year": 2025,
        "axis": "resources",
        "category": "地域のリソースと出会う場",
        "episode": "地元のNPOのスタッフとの出会いから、事業が具体化した",
        "source": "interview",
        "order": 100,
    }
    response = client.post(url, fields)
    assert response.status_code == 302
    record = OutcomeRecord.objects.get()
    assert record.recorded_by == staff_user and record.program == program()

    bad = client.post(
        reverse("reports:outcome_update", args=[record.pk]),
        fields | {"category": "", "episode": "書きかけのエピソード"},
    )
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "書きかけのエピソード" in html  # nothing typed is lost
    assert "入力内容を確認してください" in html


@pytest.mark.parametrize("role", ["committee", "official", "member"])
def test_only_staff_record_outcomes(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("reports:outcome_list")).status_code == 403
    assert client.get(reverse("reports:outcome_create")).status_code == 403


def test_the_admin_generates_a_report_through_the_same_service(
    client_for, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import services

    staff_user.is_superuser = True
    staff_user.save()
    monkeypatch.setattr(services, "report_render_pdf", lambda **kwargs: b"%PDF-1.7 admin")
    client = client_for(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reports_report_add"), {"program": program().pk, "fiscal_year": 2025}
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == ReportStatus.DONE and report.requested_by == staff_user

    failed = ReportFactory(program=program("alp"), failed=True)
    with django_capture_on_commit_callbacks(execute=True):
        run_admin_action(client, "reports_report", "retry_failed", [failed])
    failed.refresh_from_db()
    assert failed.status == ReportStatus.DONE
    assert client.get(reverse("admin:reports_report_changelist")).status_code == 200
    assert client.get(reverse("admin:reports_outcomerecord_changelist")).status_code == 200


def test_the_figures_download_as_excel_ready_csv_and_xlsx(client, committee_user, done_report):
    """The figures as printed, with labels and scopes: a UTF-8 CSV with BOM whose formula-like cell
    is neutralised, and an .xlsx with the same rows."""
    import io

    from openpyxl import load_workbook

    client.force_login(committee_user)
    response = client.get(reverse("reports:figures_csv", args=[done_report.pk]))
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff表,区分,項目,単位,範囲,令和5年度,令和6年度,令和7年度,前年度からの増減\r\n")
    assert "主要な数値,催し・講座,参加者数（実人数）,人,この事業,71,77,75,-2\r\n" in body
    assert "'=HYPERLINK" in body
    response = client.get(reverse("reports:figures_xlsx", args=[done_report.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][:5] == ("表", "区分", "項目", "単位", "範囲")
    assert rows[4] == ("主要な数値", "催し・講座", "参加者数（実人数）", "人", "この事業", 71, 77, 75, -2)
    assert rows[5][2].startswith("'=")


def test_a_report_without_recorded_figures_has_no_figure_download(client, staff_user, report_factory):
    client.force_login(staff_user)
    report = report_factory(done=True, figures={})
    assert client.get(reverse("reports:figures_csv", args=[report.pk])).status_code == 404


def test_a_year_outside_the_requests_offers_no_request_and_cannot_be_finalised(
    client_for, staff_user, time_machine
):
    """In 令和8年度 reports can be requested for 平成28年度〜令和9年度. The page of 令和32年度 (?year=2050)
    says so instead of showing 作成を依頼 buttons that are refused; its 評価と確定 page offers no
    確定 and a 確定 sent anyway is refused in Japanese, with nothing made."""
    import datetime as dt

    time_machine.move_to(dt.datetime(2026, 12, 5, 17, 0, tzinfo=dt.UTC), tick=False)  # 12月6日 2時 (JST)
    client = client_for(staff_user)
    refusal = "令和32年度の報告書は作成・確定できません（できるのは平成28年度〜令和9年度です）。"
    far = client.get(reverse("reports:index"), {"year": 2050}).content.decode()
    assert refusal in far and "作成を依頼" not in far
    assert "作成を依頼" in client.get(reverse("reports:index"), {"year": 2027}).content.decode()
    assessment = client.get(reverse("reports:assessment", args=[2050, "alp"])).content.decode()
    assert "確定して第1版を作る" not in assessment
    response = client.post(reverse("reports:finalize", args=[2050, "alp"]), follow=True)
    assert refusal in response.content.decode()
    assert not Report.objects.exists()
