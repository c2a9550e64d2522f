"""The one place that calls WeasyPrint.

Every PDF (outcome reports, agreements, certificates) extends templates/pdf/base.html, which
embeds IPAexGothic from the matplotlib-fontja wheel (IPA Font License, shipped with its licence
text), so PDFs render on a machine with no Japanese system font. WeasyPrint embeds a subset.

Subsetting: WeasyPrint 70 subsets with HarfBuzz when libharfbuzz-subset is installed. Debian 12's
HarfBuzz 6.0 fails on IPAex (measured: already at 800 distinct kanji), and WeasyPrint then embeds
the whole font (4.1 MB per PDF). `_install_subset_fallback` makes a failed HarfBuzz subset fall
back to WeasyPrint's own fontTools subsetter, which works (about 300 KB for 1,500 kanji).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

FONT_FAMILY = "KyodoGothic"

logger = logging.getLogger("kyodo")


@cache
def japanese_font_path() -> Path:
    import matplotlib_fontja

    path = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
    if not path.exists():
        raise FileNotFoundError(f"Japanese font missing: {path} (reinstall matplotlib-fontja)")
    return path


def japanese_font_licence_path() -> Path:
    """The IPA Font License text that ships with the font in the wheel."""
    return japanese_font_path().parent / "IPA_Font_License_Agreement_v1.0.txt"


def pdf_context(extra: dict | None = None) -> dict:
    """What templates/pdf/base.html needs: the font and the center's name."""
    return {
        "pdf_font_url": japanese_font_path().as_uri(),
        "pdf_font_family": FONT_FAMILY,
        "CENTER": {
            "name": settings.CENTER_NAME,
            "address": settings.CENTER_ADDRESS,
            "phone": settings.CENTER_PHONE,
        },
        **(extra or {}),
    }


@cache
def _install_subset_fallback() -> None:
    """When HarfBuzz cannot subset a font, subset it with fontTools instead of embedding it whole."""
    from weasyprint.pdf import fonts

    harfbuzz_subset = fonts.Font._harfbuzz_subset

    def harfbuzz_or_fonttools_subset(self, to_unicode, hinting):
        before = self.file_content
        harfbuzz_subset(self, to_unicode, hinting)
        if self.file_content is before:  # HarfBuzz failed: WeasyPrint kept the full font
            logger.info("PDF: subsetting %s with fontTools (HarfBuzz could not)", self.family)
            self._fonttools_subset(to_unicode, hinting)

    fonts.Font._harfbuzz_subset = harfbuzz_or_fonttools_subset


def render_pdf(*, template_name: str, context: dict, title: str = "") -> bytes:
    """Renders a template to PDF bytes (tagged, with /Lang ja)."""
    return render_document(template_name=template_name, context=context).write_pdf(pdf_tags=True)


def render_document(*, template_name: str, context: dict):
    """The laid-out pages (a weasyprint Document) that render_pdf writes, for checking page breaks."""
    from weasyprint import HTML  # imported here: loading Pango costs start-up time elsewhere
    from weasyprint.urls import URLFetcher

    _install_subset_fallback()
    with translation.override("ja"):
        html = render_to_string(template_name, pdf_context(context))
    # PDFs are made on a closed network: only local files (the font, static images) are read.
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render()


def write_file_atomically(path: Path, content: bytes) -> None:
    """Writes `content` to `path` so that `path` either holds all of it or is left untouched.

    The bytes go to a temporary file in the same folder, are flushed to disk, and the file is
    renamed into place (atomic on POSIX). Any error (a full disk: ENOSPC) removes the temporary
    file and is raised again.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o640)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
