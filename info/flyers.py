"""Flyer files: checked by their content (as proposal attachments are), and a thumbnail made here.

The thumbnail of a PDF is its first page drawn by poppler's pdftoppm (Debian poppler-utils, in the
Docker image and CI); of an image, the image scaled down with Pillow. Both end as PNG.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from core.uploads import validate_upload

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
    """The content type of an acceptable flyer file, or a ValidationError in Japanese (core.uploads)."""
    return validate_upload(upload, allowed_types=ALLOWED_TYPES, allowed_label=_("PDF・PNG・JPEG"))


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
