"""Attachments: PDF, Office files and images only, checked by their content and their name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.uploads import validate_upload

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

ALLOWED_LABEL = _("PDF、Word・Excel・PowerPoint、画像（JPEG・PNG・GIF・WebP）")


def validate_attachment(upload) -> str:
    """Checks a proposal's attachment; returns the content type to serve it with (core.uploads)."""
    return validate_upload(upload, allowed_types=ALLOWED_TYPES, allowed_label=str(ALLOWED_LABEL))
