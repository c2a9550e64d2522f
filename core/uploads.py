"""Uploads over UPLOAD_MAX_BYTES are refused while they stream in, not after being stored whole.

BoundedUploadHandler comes first in FILE_UPLOAD_HANDLERS. It passes each chunk on to Django's
memory and temporary-file handlers until the file passes the limit; from then on it swallows the
chunks (nothing more is kept) and, at the end, hands the form an empty stand-in whose `size` is
the real size. The form's own size check (e.g. projects.validators) then says, in Japanese, how
big the file was and what the limit is, and everything else the person typed is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class OversizedUpload(SimpleUploadedFile):
    """An upload that was too large: no content, the size that was sent."""

    too_large = True

    def __init__(self, name: str, content_type: str | None, size: int):
        super().__init__(name, b"", content_type)
        self.size = size


class BoundedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            return None  # the later handlers never see this chunk: nothing past the limit is stored
        return raw_data

    def file_complete(self, file_size: int):
        if self.received > settings.UPLOAD_MAX_BYTES:
            return OversizedUpload(self.file_name, self.content_type, self.received)
        return None  # the next handler (memory or temporary file) has the whole file


# --- Checking an upload by its name, size and content (proposal attachments, flyers) -----------

# Old Office formats share one container (OLE2): filetype names it by its first match.
OLE_KINDS = {"doc", "xls", "ppt"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def validate_upload(upload, *, allowed_types: Mapping[str, tuple[set[str], str]], allowed_label: str) -> str:
    """The content type to serve an acceptable upload with, or a ValidationError in Japanese.

    `allowed_types` maps a file-name extension to the kinds `filetype` may detect in the content and
    the content type. Refuses unknown extensions, files larger than UPLOAD_MAX_BYTES, and files whose
    content is not what their name says (a PNG or a program renamed .pdf).
    """
    name = upload.name or ""
    extension = Path(name).suffix.lower()
    if extension not in allowed_types:
        raise ValidationError(
            _("「%(name)s」は受け付けられない種類のファイルです。受け付けるのは %(allowed)s です。"),
            code="extension",
            params={"name": name, "allowed": allowed_label},
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
    expected, content_type = allowed_types[extension]
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
