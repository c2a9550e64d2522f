"""Uploads and private files, end to end through the pages.

Proposal attachments: the name and the content must agree (magic bytes), the size is limited,
files are stored under generated names in PRIVATE_MEDIA_ROOT (never under MEDIA_ROOT), served
only through the permission-checking view as a download with nosniff, and guessing a /media/
address finds nothing. The same holds for report PDFs and completion certificates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.views.static import serve

from tests.trust.world import PDF_BYTES

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def private_files(root: Path) -> set[Path]:
    return {path for path in Path(root).rglob("*") if path.is_file()}


def upload(world, name: str, content: bytes):
    client = signed_in(world.user("owner"))
    url = reverse("projects:attachment_upload", args=[world.draft_proposal.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("計画書.pdf", PNG),  # a PNG named .pdf
        ("計画書.pdf", EXE),  # a program renamed .pdf
        ("写真.png", HTML),  # an HTML page renamed .png
        ("写真.png", SVG),  # an SVG (script) renamed .png
        ("計画書.pdf.html", HTML),  # a page with a double extension
        ("setup.exe", EXE),
        ("図.svg", SVG),
    ],
)
def test_uploads_whose_name_and_content_disagree_are_refused_and_nothing_is_stored(
    world, private_media, name, content
):
    """The page answers with a message, no Attachment row appears and no file is written."""
    from projects.models import Attachment

    before_rows = set(Attachment.objects.values_list("pk", flat=True))
    before_files = private_files(private_media)
    response = upload(world, name, content)
    assert response.status_code == 302
    assert set(Attachment.objects.values_list("pk", flat=True)) == before_rows
    assert private_files(private_media) == before_files
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages, "the refusal must be explained to the uploader"


def test_an_upload_over_the_size_limit_is_refused(world, private_media, settings):
    from projects.models import Attachment

    settings.UPLOAD_MAX_BYTES = 1024
    before_rows = Attachment.objects.count()
    before_files = private_files(private_media)
    response = upload(world, "大きな計画書.pdf", PDF_BYTES + b"%" * 2048)
    assert response.status_code == 302
    assert Attachment.objects.count() == before_rows
    assert private_files(private_media) == before_files


def test_an_accepted_upload_is_private_under_a_generated_name_and_served_as_a_download(world, private_media):
    """A real PDF is stored outside MEDIA_ROOT under a random name; only the view serves it."""
    from projects.models import Attachment

    response = upload(world, "../../団体の計画書.pdf", PDF_BYTES)
    assert response.status_code == 302
    attachment = Attachment.objects.filter(proposal=world.draft_proposal).latest("pk")
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(private_media).resolve())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "計画書" not in attachment.file.name and ".." not in attachment.file.name
    assert stored.suffix == ".pdf"
    assert stored.read_bytes() == PDF_BYTES

    download = signed_in(world.user("owner")).get(
        reverse("projects:attachment_download", args=[attachment.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert "private" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PDF_BYTES

    for role in ("anonymous", "member", "other_editor", "official", "committee"):
        client = Client() if role == "anonymous" else signed_in(world.user(role))
        refused = client.get(reverse("projects:attachment_download", args=[attachment.pk]))
        assert refused.status_code in (302, 403, 404), role
        assert PDF_BYTES not in getattr(refused, "content", b""), role


def guess_media(name: str):
    """What /media/<name> would answer: no route outside DEBUG; with DEBUG, only files under MEDIA_ROOT."""
    from django.core.exceptions import SuspiciousFileOperation
    from django.http import Http404
    from django.test import RequestFactory

    routed = Client().get(f"{settings.MEDIA_URL}{name}")
    try:
        served = serve(RequestFactory().get(f"/media/{name}"), name, document_root=settings.MEDIA_ROOT)
    except (Http404, SuspiciousFileOperation):  # the second is answered 400 by Django
        served = None
    return routed, served


def test_guessing_media_urls_of_private_files_finds_nothing(world):
    """Attachments and report PDFs are not reachable under MEDIA_URL, whatever the path guessed."""
    names = [world.attachment.file.name, world.done_report.pdf.name]
    for name in names:
        for guess in (name, f"../private/{name}", f"private/{name}", Path(name).name):
            routed, served = guess_media(guess)
            assert routed.status_code == 404, guess
            assert served is None, guess


def test_a_generated_report_pdf_is_private_and_downloaded_through_the_view(world, private_media):
    """The worker's PDF lands in private storage; staff and committee download it as an attachment."""
    from reports import services
    from reports.models import Report, ReportStatus

    report = Report.objects.create(
        program=world.done_report.program,
        fiscal_year=2022,
        status=ReportStatus.QUEUED,
        attempts=1,
        requested_at=timezone.now(),
    )
    report = services.report_generate(report_id=report.pk, task_id="trust")
    assert report.status == ReportStatus.DONE, report.error
    stored = Path(report.pdf.path).resolve()
    assert stored.is_relative_to(Path(private_media).resolve())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert stored.read_bytes().startswith(b"%PDF")

    for role in ("staff", "committee"):
        response = signed_in(world.user(role)).get(reverse("reports:download", args=[report.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
    for role in ("member", "owner", "official"):
        response = signed_in(world.user(role)).get(reverse("reports:download", args=[report.pk]))
        assert response.status_code in (403, 404)
    routed, served = guess_media(report.pdf.name)
    assert routed.status_code == 404 and served is None


def test_a_certificate_is_served_to_its_participant_as_a_download(world):
    """修了証: built on request for the participant, served as a download with nosniff, not kept in media."""
    url = reverse("events:certificate", args=[world.done_registration.pk])
    response = signed_in(world.user("owner")).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf")) if Path(settings.MEDIA_ROOT).exists() else True


def test_the_agreement_pdf_is_a_private_download(world):
    """協働協定書: for the group, the department and staff, as a download with nosniff and no caching."""
    url = reverse("projects:agreement_pdf", args=[world.project.pk])
    response = signed_in(world.user("owner")).get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
