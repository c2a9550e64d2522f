"""Uploads over UPLOAD_MAX_BYTES are refused while they stream in, not after being stored whole.

BoundedUploadHandler comes first in FILE_UPLOAD_HANDLERS. It passes each chunk on to Django's
memory and temporary-file handlers until the file passes the limit; from then on it swallows the
chunks (nothing more is kept) and, at the end, hands the form an empty stand-in whose `size` is
the real size. The form's own size check (e.g. projects.validators) then says, in Japanese, how
big the file was and what the limit is, and everything else the person typed is kept.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from pathlib import Path

import filetype
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
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


# --- Keeping a chosen file while the rest of a form is corrected ---------------------------------

# A browser never fills a file input again: after an error elsewhere on the form, the file that
# passed its checks waits in private storage, and the form carries a signed token for it in a
# hidden field. Only the person who chose it can use the token, for HELD_UPLOAD_SECONDS.
HELD_UPLOAD_FOLDER = "held-uploads"
HELD_UPLOAD_SECONDS = 24 * 60 * 60
_HELD_UPLOAD_SALT = "core.uploads.held"


def _private_storage():
    return storages["private"]


def _forget_old_held_uploads(storage) -> None:
    """Files held longer than a token lives were left by a form never sent again."""
    try:
        _folders, names = storage.listdir(HELD_UPLOAD_FOLDER)
    except FileNotFoundError:
        return
    oldest = timezone.now() - dt.timedelta(seconds=HELD_UPLOAD_SECONDS)
    for name in names:
        path = f"{HELD_UPLOAD_FOLDER}/{name}"
        try:
            if storage.get_modified_time(path) < oldest:
                storage.delete(path)
        except FileNotFoundError:
            continue


def hold_upload(upload, *, user) -> str:
    """Stores an upload that passed its checks; returns the token that finds it again."""
    storage = _private_storage()
    _forget_old_held_uploads(storage)
    key = secrets.token_hex(16)
    upload.seek(0)
    storage.save(f"{HELD_UPLOAD_FOLDER}/{key}", upload)
    return signing.dumps({"key": key, "name": upload.name, "user": user.pk}, salt=_HELD_UPLOAD_SALT)


def _held_path(token: str, *, user) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=_HELD_UPLOAD_SALT, max_age=HELD_UPLOAD_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("user") != user.pk:
        return None
    return f"{HELD_UPLOAD_FOLDER}/{data['key']}", data["name"]


def held_upload(token: str, *, user) -> SimpleUploadedFile | None:
    """The file a token from hold_upload stands for, as an upload with its original name; None
    when the token is not this person's, was altered, has expired or its file is gone."""
    found = _held_path(token, user=user) if token else None
    if found is None:
        return None
    path, name = found
    storage = _private_storage()
    try:
        with storage.open(path, "rb") as handle:
            return SimpleUploadedFile(name, handle.read())
    except FileNotFoundError:
        return None


def release_held_upload(token: str, *, user) -> None:
    """Deletes the held file once the form that carried it has been saved."""
    found = _held_path(token, user=user) if token else None
    if found is not None:
        _private_storage().delete(found[0])
