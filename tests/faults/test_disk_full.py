"""(d) The media disk fills up: during an upload (a proposal attachment) and during a PDF write
(a report). A real tmpfs of a few hundred kilobytes is mounted as the private media folder and
filled until a few kilobytes are left, so the write fails with the kernel's own ENOSPC.

Expected: the person sees a Japanese error (upload) / the report ends 失敗 with its error shown;
no partial file remains; no row points at a missing file; once space is freed, the same action
succeeds (so the test really exercised the disk and not something else).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.contrib.messages import constants as message_levels
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import services as test_services
from tests.faults.helpers import files_under
from tests.projects.factories import ProposalFactory
from tests.reports.factories import OutcomeRecordFactory, program

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

PDF_HEAD = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
LEFT_FREE = 8 * 1024


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs mounted for this test only (unmounted in a finally, whatever happens)."""
    test_services.require_postgres()
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    test_services.require(mounted.returncode == 0, f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)


def fill(disk: Path, *, leave: int = LEFT_FREE) -> Path:
    """Fills the disk until `leave` bytes are free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    filler = disk / "filler.bin"
    with filler.open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


def point_private_storage_at(disk: Path, settings, monkeypatch, *fields) -> None:
    """PRIVATE_MEDIA_ROOT and storages["private"] on the small disk; FileFields bind their storage
    when the model loads, so theirs is swapped for the new one as well."""
    settings.PRIVATE_MEDIA_ROOT = disk
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": disk, "base_url": None},
        },
    }
    storage = storages["private"]
    assert Path(storage.location) == disk
    for field in fields:
        monkeypatch.setattr(field, "storage", storage)


def error_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == message_levels.ERROR]


def has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_an_upload_to_a_full_disk_shows_a_japanese_error_and_leaves_nothing_behind(
    small_disk,
    settings,
    monkeypatch,
    client_for,
    call,
    group,
    proposer,
    lost,
):
    """A proposal attachment larger than the space left: the proposer is sent back to the form
    with a Japanese error (not a 500), no Attachment row is created, no partial file stays on the
    disk. With space freed, the same upload is stored whole."""
    from projects.models import Attachment

    point_private_storage_at(small_disk, settings, monkeypatch, Attachment._meta.get_field("file"))
    proposal = ProposalFactory(call=call, group=group)
    client = client_for(proposer)
    client.raise_request_exception = False  # a crash must show as the 500 a person would see
    content = PDF_HEAD + b"0" * (96 * 1024) + b"\n%%EOF\n"
    url = reverse("projects:attachment_upload", args=[proposal.pk])
    filler = fill(small_disk)

    response = client.post(url, {"file": SimpleUploadedFile("事業計画書.pdf", content)}, follow=True)

    errors = error_messages(response) if response.status_code == 200 else []
    rows = list(Attachment.objects.filter(proposal=proposal))
    partial = [p for p in files_under(small_disk) if p != filler]
    dangling = [a.pk for a in Attachment.objects.all() if not a.file.storage.exists(a.file.name)]
    lost(
        "(d) upload to a full disk",
        lost=len(rows) + len(partial) + len(dangling),
        status=response.status_code,
        error_shown=len(errors),
        rows=len(rows),
        partial_files=len(partial),
        rows_without_file=len(dangling),
    )
    assert response.status_code == 200, "a full disk must not end in a server error"
    assert errors and all(has_japanese(e) for e in errors), f"a Japanese error is shown: {errors}"
    assert rows == []
    assert partial == [], f"partial files left: {partial}"
    assert dangling == []

    filler.unlink()
    response = client.post(url, {"file": SimpleUploadedFile("事業計画書.pdf", content)}, follow=True)
    assert response.status_code == 200
    attachment = Attachment.objects.get(proposal=proposal)
    assert Path(attachment.file.path).is_relative_to(small_disk)
    assert Path(attachment.file.path).read_bytes() == content


def test_a_report_written_to_a_full_disk_ends_failed_with_its_error_and_no_partial_file(
    small_disk, settings, monkeypatch, staff_user, client_for, django_capture_on_commit_callbacks, lost
):
    """The worker renders the PDF but the disk is full: the request ends 失敗 with a Japanese error
    on the reports page, the row points at no file and no partial file stays. Freed, 再試行 makes
    exactly one complete PDF."""
    from reports import services
    from reports.models import Report, ReportStatus

    point_private_storage_at(small_disk, settings, monkeypatch, Report._meta.get_field("pdf"))
    OutcomeRecordFactory.create_batch(5, fiscal_year=2025)
    client = client_for(staff_user)
    client.raise_request_exception = False
    filler = fill(small_disk)

    with django_capture_on_commit_callbacks(execute=True):  # the task runs in-process (eager)
        report, created = services.report_request(
            program=program(), fiscal_year=2025, requested_by=staff_user
        )
    assert created
    report.refresh_from_db()
    page = client.get(reverse("reports:index") + "?year=2025")
    partial = [p for p in files_under(small_disk) if p != filler]
    stuck = Report.objects.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]).count()
    dangling = [r.pk for r in Report.objects.exclude(pdf="") if not r.pdf.storage.exists(r.pdf.name)]
    lost(
        "(d) report PDF to a full disk",
        lost=len(partial) + len(dangling) + stuck,
        status=report.status,
        error_shown=int(report.error in page.content.decode()),
        partial_files=len(partial),
        rows_without_file=len(dangling),
        stuck=stuck,
    )
    assert report.status == ReportStatus.FAILED
    assert "ディスク" in report.error and has_japanese(report.error)
    assert not report.pdf
    assert page.status_code == 200
    assert report.error in page.content.decode(), "the error is shown on the reports page"
    assert partial == [], f"partial files left: {partial}"
    assert dangling == [] and stuck == 0

    filler.unlink()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert files_under(small_disk / "reports") == [Path(report.pdf.path)]
    assert Path(report.pdf.path).read_bytes().startswith(b"%PDF")
