"""Attachments: PDF, Office, images only; checked by content and name; private; served with permission."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import services
from projects.models import Attachment
from projects.validators import validate_attachment
from tests.projects.factories import ProposalFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("事業計画.pdf", PDF),
        ("写真.png", PNG),
        ("予算書.docx", docx_bytes()),
        ("写真.PNG", PNG),
    ],
)
def test_real_files_are_accepted(name, content):
    assert validate_attachment(upload(name, content))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("計画書.pdf", PNG, "content"),  # a PNG renamed .pdf
        ("計画書.pdf", EXE, "content"),  # a program renamed .pdf
        ("計画書.pdf", b"just some text", "content"),
        ("写真.png", PDF, "content"),
        ("予算書.docx", PDF, "content"),
        ("setup.exe", EXE, "extension"),
        ("メモ.txt", b"hello", "extension"),
        ("計画書", PDF, "extension"),
    ],
)
def test_files_whose_name_or_content_is_not_allowed_are_refused(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_attachment(upload(name, content))
    assert error.value.code == code


def test_files_over_the_size_limit_are_refused(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        validate_attachment(upload("大きい.pdf", PDF + b"0" * 200))
    assert error.value.code == "size"
    assert "大きすぎます" in error.value.messages[0]


def test_attachments_are_stored_privately_under_a_generated_name(call, group, proposer, settings):
    proposal = ProposalFactory(call=call, group=group)
    attachment = services.attachment_add(proposal=proposal, upload=upload("団体の紹介.pdf", PDF), by=proposer)
    assert attachment.original_name == "団体の紹介.pdf"
    assert "団体の紹介" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")
    path = Path(attachment.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes() == PDF


def test_the_upload_page_refuses_a_disguised_file_with_a_message(call, group, proposer, client_for):
    proposal = ProposalFactory(call=call, group=group)
    client = client_for(proposer)
    response = client.post(
        f"/projects/proposals/{proposal.pk}/attachments/", {"file": upload("計画書.pdf", PNG)}, follow=True
    )
    assert "中身がファイル名（.pdf）と一致しません" in response.content.decode()
    assert not Attachment.objects.exists()


def test_download_is_an_attachment_for_those_who_may_see_the_proposal(
    call, group, proposer, other_proposer, client_for, staff_user
):
    proposal = ProposalFactory(call=call, group=group)
    attachment = services.attachment_add(proposal=proposal, upload=upload("団体の紹介.pdf", PDF), by=proposer)
    url = f"/projects/attachments/{attachment.pk}/"
    response = client_for(proposer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert client_for(other_proposer).get(url).status_code == 404
    assert client_for(staff_user).get(url).status_code == 200


def test_anonymous_visitors_cannot_download(call, group, proposer, client):
    proposal = ProposalFactory(call=call, group=group)
    attachment = services.attachment_add(proposal=proposal, upload=upload("a.pdf", PDF), by=proposer)
    response = client.get(f"/projects/attachments/{attachment.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_attachments_cannot_be_added_to_a_submitted_proposal(call, group, proposer):
    proposal = ProposalFactory(call=call, group=group, submitted=True)
    with pytest.raises(ValidationError):
        services.attachment_add(proposal=proposal, upload=upload("a.pdf", PDF), by=proposer)


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 64  # a 1x1 GIF's header


def test_the_upload_form_names_and_offers_exactly_the_kinds_the_server_accepts():
    """The help text and the file picker say what validate_attachment accepts: a GIF, which the
    server takes, is named (画像（JPEG・PNG・GIF・WebP）) and offered, as is every other kind."""
    from projects.forms import AttachmentForm
    from projects.validators import ALLOWED_TYPES

    field = AttachmentForm().fields["file"]
    assert "画像（JPEG・PNG・GIF・WebP）" in str(field.help_text)
    assert field.widget.attrs["accept"].split(",") == list(ALLOWED_TYPES)
    assert validate_attachment(upload("写真.gif", GIF)) == "image/gif"
