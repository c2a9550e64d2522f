"""確定: the check before it, numbered 版, and a 確定版 kept as made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from reports import selectors, services
from reports.models import OutcomeAxis, Report, ReportStatus
from tests.conftest import frozen_clock
from tests.reports.factories import OutcomeRecordFactory, program

pytestmark = pytest.mark.django_db
# 令和8年度: 令和7年度 (2025) can be finalised (services.report_request_years).
_frozen_now = frozen_clock(dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC))


def complete_assessment(code="alp", **overrides):
    fields = {
        "program": program(code),
        "fiscal_year": 2025,
        "summary": "目標を上回った。",
        "targets": {"events.completions": 16},
        "issues": "夜間の回を設ける。",
        "axis_notes": {axis: "この事業では記録していないため。" for axis in OutcomeAxis.values},
    }
    fields.update(overrides)
    return services.assessment_save(**fields)


def test_the_check_names_duplicates_missing_axes_and_empty_assessment_fields(db):
    OutcomeRecordFactory(program=program("alp"), fiscal_year=2025, axis="governance", episode="仲間を得た")
    OutcomeRecordFactory(program=program("alp"), fiscal_year=2025, axis="learning", episode="仲間を 得た")
    texts = [f.text for f in selectors.report_findings(program=program("alp"), fiscal_year=2025)]
    assert any("同じエピソードが2回記録されています: 「仲間を 得た」" in t for t in texts)
    assert any("「変革促進」の成果（エピソード）がありません" in t for t in texts)
    assert not any("「協働のガバナンス」の成果" in t for t in texts)
    assert {
        "総括が書かれていません。",
        "目標が1つも入力されていません。",
        "課題と次年度の方針が書かれていません。",
    } <= set(texts)
    complete_assessment()
    texts = [f.text for f in selectors.report_findings(program=program("alp"), fiscal_year=2025)]
    assert len(texts) == 1 and texts[0].startswith("同じエピソードが2回")  # notes explain the axes


def test_a_report_that_fails_the_check_cannot_be_finalised(db, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as error:
        services.report_finalize(program=program("alp"), fiscal_year=2025)
    assert "総括が書かれていません。" in error.value.messages
    assert not Report.objects.exists()


def test_finalising_makes_numbered_versions_and_keeps_earlier_ones(db, monkeypatch):
    """第1版, then after a change 第2版; the 第1版 row, PDF name and figures stay as made."""
    monkeypatch.setattr(services, "_dispatch", lambda report: None)
    complete_assessment()
    first = services.report_finalize(program=program("alp"), fiscal_year=2025)
    assert first.version == 1 and first.version_label == "第1版"
    with pytest.raises(ValidationError):  # still being made
        services.report_finalize(program=program("alp"), fiscal_year=2025)
    services.report_complete(
        report_id=first.pk, name="reports/2025/report-1.pdf", size=10, snapshot={"figures": {"rows": [[1]]}}
    )
    complete_assessment(summary="書き直した総括。")
    second = services.report_finalize(program=program("alp"), fiscal_year=2025)
    assert second.version == 2
    first.refresh_from_db()
    assert (first.status, first.pdf.name, first.figures) == (
        ReportStatus.DONE,
        "reports/2025/report-1.pdf",
        {"rows": [[1]]},
    )
    assert [r.version for r in selectors.report_versions(program=program("alp"), fiscal_year=2025)] == [1, 2]
    assert first.download_filename == "outcome-report-2025-alp-v1.pdf"


def test_staff_save_the_assessment_and_see_the_check(client, staff_user):
    from django.urls import reverse

    client.force_login(staff_user)
    url = reverse("reports:assessment", args=[2025, "alp"])
    page = client.get(url).content.decode()
    assert "確定前の確認" in page and "総括が書かれていません。" in page
    response = client.post(
        url, {"summary": "よくできた。", "issues": "", "target__events.completions": "abc"}
    )
    assert response.status_code == 200
    assert "半角数字で入力してください" in response.content.decode()
    assert "よくできた。" in response.content.decode()  # nothing typed is lost
    response = client.post(
        url, {"summary": "よくできた。", "issues": "次は夜に。", "target__events.completions": "16"}
    )
    assert response.status_code == 302
    assessment = selectors.assessment_of(program=program("alp"), fiscal_year=2025)
    assert (assessment.summary, assessment.targets) == ("よくできた。", {"events.completions": 16})


def test_a_version_prints_its_number_dates_and_history_on_the_cover_and_in_the_metadata(db, no_other_hooks):
    """第2版: 作成日 and データ基準日 on the cover and in the PDF's metadata, 第1版 in the history."""
    import io

    import time_machine
    from django.utils import timezone
    from pypdf import PdfReader

    from reports.services import report_render_pdf
    from tests.reports.factories import ReportFactory, local
    from tests.reports.pdfcheck import pdf_text

    ReportFactory(program=program("alp"), done=True, version=1, finished_at=local(2026, 4, 20))
    with time_machine.travel(local(2026, 5, 7, 9), tick=False):
        pdf = report_render_pdf(program_code="alp", fiscal_year=2025, version=2)
        assert timezone.localdate().isoformat() == "2026-05-07"
    text = " ".join(pdf_text(pdf).split())
    assert "第2版" in text
    assert "作成日 データ基準日" in text and "令和8年5月7日（この日の記録で集計しています）" in text
    assert "第1版 令和8年4月20日" in text and "第2版（この版） 令和8年5月7日" in text
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert "第2版" in metadata.title
    assert "データ基準日: 令和8年5月7日" in metadata.subject


def test_the_figures_kept_with_a_report_are_plain_json_whatever_the_apps_labels(db):
    """Every app's real hooks (some give gettext_lazy labels): the snapshot stored in the JSON
    field is plain text and numbers."""
    import json

    from reports.services import report_render_pdf

    snapshot: dict = {}
    report_render_pdf(program_code=None, fiscal_year=2025, snapshot=snapshot)
    stored = json.loads(json.dumps(snapshot["figures"]))
    assert stored["header"][:5] == ["表", "区分", "項目", "単位", "範囲"]
    assert stored["rows"] and all(row[4] in ("センター全体", "") for row in stored["rows"])
