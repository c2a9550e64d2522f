"""Uploads over UPLOAD_MAX_BYTES are refused while they stream in, not after being stored whole.

BoundedUploadHandler comes first in FILE_UPLOAD_HANDLERS. It passes each chunk on to Django's
memory and temporary-file handlers until the file passes the limit; from then on it swallows the
chunks (nothing more is kept) and, at the end, hands the form an empty stand-in whose `size` is
the real size. The form's own size check (e.g. projects.validators) then says, in Japanese, how
big the file was and what the limit is, and everything else the person typed is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


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
