"""Uploads past UPLOAD_MAX_BYTES are cut while streaming; the form still learns the real size."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from core.uploads import OversizedUpload


def post_file(content: bytes):
    request = RequestFactory().post("/", {"note": "入力した文", "f": SimpleUploadedFile("a.pdf", content)})
    return request


def test_an_oversized_file_keeps_nothing_but_its_size(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    request = post_file(b"%" * 300_000)
    upload = request.FILES["f"]
    assert isinstance(upload, OversizedUpload)
    assert upload.size == 300_000 and upload.read() == b""
    assert request.POST["note"] == "入力した文"  # the rest of the form arrives


def test_a_file_within_the_limit_arrives_whole(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    request = post_file(b"%PDF" + b"x" * 1000)
    upload = request.FILES["f"]
    assert not isinstance(upload, OversizedUpload)
    assert upload.read() == b"%PDF" + b"x" * 1000


def test_the_handler_is_first_in_the_settings(settings):
    assert settings.FILE_UPLOAD_HANDLERS[0] == "core.uploads.BoundedUploadHandler"
