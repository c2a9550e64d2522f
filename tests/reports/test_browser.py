"""In Chromium: staff ask for a report, see it 完了 and download it; the committee only downloads;
staff record an outcome episode. axe-core checks each page."""

from __future__ import annotations

import re

import pytest

from tests.browser import sign_in_as
from tests.reports.factories import OutcomeRecordFactory, ensure_programs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_request_and_download_a_report_and_the_committee_downloads_it(
    page, live_server, staff_user, committee_user, assert_accessible, monkeypatch
):
    from reports import services

    ensure_programs()
    OutcomeRecordFactory(fiscal_year=2025)
    monkeypatch.setattr(services, "report_render_pdf", lambda **kwargs: b"%PDF-1.7 browser test")
    sign_in_as(page, staff_user, live_server)
    page.goto("/reports/?year=2025")
    assert page.locator("h1").inner_text() == "成果報告書"
    assert_accessible(page, "成果報告書（職員）")
    row = page.locator("tr", has=page.get_by_role("rowheader", name="ミライ対話"))
    row.get_by_role("button", name=re.compile("作成を依頼")).click()
    # Tasks run in-process here, so the report is finished when the page comes back.
    assert "ミライ対話 成果報告書の作成を依頼しました" in page.locator(".messages").inner_text()
    row = page.locator("tr", has=page.get_by_role("rowheader", name="ミライ対話"))
    assert "完了" in row.inner_text()
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("PDF.*をダウンロード")).click()
    assert download.value.suggested_filename == "outcome-report-2025-mirai_taiwa.pdf"

    sign_in_as(page, committee_user, live_server)
    page.goto("/reports/?year=2025")
    assert page.get_by_role("button").filter(has_text="作成を依頼").count() == 0
    row = page.locator("tr", has=page.get_by_role("rowheader", name="ミライ対話"))
    assert row.get_by_role("link", name=re.compile("PDF.*をダウンロード")).is_visible()
    assert_accessible(page, "成果報告書（委員）")


def test_staff_record_an_outcome_episode(page, live_server, staff_user, assert_accessible):
    ensure_programs()
    sign_in_as(page, staff_user, live_server)
    page.goto("/reports/staff/outcomes/new/?year=2025&program=mirai_taiwa")
    assert_accessible(page, "成果の記録（入力）")
    page.get_by_label("評価の軸").select_option(label="資源連結")
    page.get_by_label("見出し（○）").fill("地域のリソースと出会う場")
    page.get_by_label("エピソード（・）").fill("地元のNPOのスタッフとの出会いから、事業が具体化した")
    page.get_by_label("把握の方法").select_option(label="インタビュー")
    page.get_by_role("button", name="記録する").click()
    assert "成果を記録しました" in page.locator(".messages").inner_text()
    assert "○地域のリソースと出会う場" in page.locator("main").inner_text()
    assert_accessible(page, "成果の記録（一覧）")
