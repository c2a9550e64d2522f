"""Flyer files: checked by their content (as proposal attachments are), and a thumbnail made here.

The thumbnail of a PDF is its first page drawn by poppler's pdftoppm (Debian poppler-utils, in the
Docker image and CI); of an image, the image scaled down with Pillow. Both end as PNG.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension → (kinds the content may be, content type to serve)
ALLOWED_TYPES = {
    ".pdf": ({"pdf"}, "application/pdf"),
    ".png": ({"png"}, "image/png"),
    ".jpg": ({"jpg"}, "image/jpeg"),
    ".jpeg": ({"jpg"}, "image/jpeg"),
}
THUMBNAIL_WIDTH = 360
PDFTOPPM_SECONDS = 20


def validate_flyer(upload) -> str:
    """The content type of an acceptable flyer file, or a ValidationError in Japanese."""
    name = upload.name or ""
    extension = Path(name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _(
                "「%(name)s」は受け付けられない種類のファイルです。"
                "PDF・PNG・JPEG のファイルを選んでください。"
            ),
            code="extension",
            params={"name": name},
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
    if (kind.extension if kind else None) not in expected:
        raise ValidationError(
            _("「%(name)s」の中身がファイル名（%(ext)s）と一致しません。正しいファイルを選んでください。"),
            code="content",
            params={"name": name, "ext": extension},
        )
    return content_type


def thumbnail_png(data: bytes, content_type: str) -> bytes:
    """A PNG about THUMBNAIL_WIDTH pixels wide of the flyer (a PDF's first page)."""
    if content_type == "application/pdf":
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "flyer.pdf"
            source.write_bytes(data)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    "-scale-to-x",
                    str(THUMBNAIL_WIDTH),
                    "-scale-to-y",
                    "-1",
                    str(source),
                    str(Path(folder) / "page"),
                ],
                check=True,
                capture_output=True,
                timeout=PDFTOPPM_SECONDS,
            )
            return (Path(folder) / "page.png").read_bytes()
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        image.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 3))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
