"""Attachments: PDF, Office files and images only, checked by their content and their name."""

from __future__ import annotations

from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# File-name extension → the kinds `filetype` may detect in the content, and the type we serve it as.
ALLOWED_TYPES: dict[str, tuple[set[str], str]] = {
    ".pdf": ({"pdf"}, "application/pdf"),
    ".doc": ({"doc"}, "application/msword"),
    ".docx": ({"docx"}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xls": ({"xls"}, "application/vnd.ms-excel"),
    ".xlsx": ({"xlsx"}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".ppt": ({"ppt"}, "application/vnd.ms-powerpoint"),
    ".pptx": ({"pptx"}, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ".jpg": ({"jpg"}, "image/jpeg"),
    ".jpeg": ({"jpg"}, "image/jpeg"),
    ".png": ({"png"}, "image/png"),
    ".gif": ({"gif"}, "image/gif"),
    ".webp": ({"webp"}, "image/webp"),
}
# Old Office formats share one container (OLE2): filetype names it by its first match.
OLE_KINDS = {"doc", "xls", "ppt"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ALLOWED_LABEL = _("PDF、Word・Excel・PowerPoint、画像（JPEG・PNG・GIF・WebP）")


def validate_attachment(upload) -> str:
    """Checks an uploaded file; returns the content type to serve it with.

    Refuses: unknown extensions, files larger than UPLOAD_MAX_BYTES, and files whose content is
    not what their name says (a PNG or a program renamed .pdf).
    """
    name = upload.name or ""
    extension = Path(name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("「%(name)s」は受け付けられない種類のファイルです。受け付けるのは %(allowed)s です。"),
            code="extension",
            params={"name": name, "allowed": ALLOWED_LABEL},
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("「%(name)s」は大きすぎます（%(size)s）。%(limit)s 以下のファイルにしてください。"),
            code="size",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    expected, content_type = ALLOWED_TYPES[extension]
    detected = kind.extension if kind else None
    if expected & OLE_KINDS and (detected in OLE_KINDS or head.startswith(OLE_MAGIC)):
        detected = next(iter(expected))
    if detected not in expected:
        raise ValidationError(
            _("「%(name)s」の中身がファイル名（%(ext)s）と一致しません。正しいファイルを選んでください。"),
            code="content",
            params={"name": name, "ext": extension},
        )
    return content_type
