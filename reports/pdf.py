"""The one place that calls WeasyPrint.

Every PDF (outcome reports, agreements, certificates) extends templates/pdf/base.html, which
embeds IPAexGothic from the matplotlib-fontja wheel (IPA Font License, shipped with its licence
text), so PDFs render on a machine with no Japanese system font. WeasyPrint embeds a subset.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

FONT_FAMILY = "KyodoGothic"


@cache
def japanese_font_path() -> Path:
    import matplotlib_fontja

    path = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
    if not path.exists():
        raise FileNotFoundError(f"Japanese font missing: {path} (reinstall matplotlib-fontja)")
    return path


def pdf_context(extra: dict | None = None) -> dict:
    """What templates/pdf/base.html needs: the font and the center's name."""
    return {
        "pdf_font_url": japanese_font_path().as_uri(),
        "pdf_font_family": FONT_FAMILY,
        "CENTER": {"name": settings.CENTER_NAME, "address": settings.CENTER_ADDRESS, "phone": settings.CENTER_PHONE},
        **(extra or {}),
    }


def render_pdf(*, template_name: str, context: dict, title: str = "") -> bytes:
    """Renders a template to PDF bytes (tagged, with /Lang ja)."""
    from weasyprint import HTML  # imported here: loading Pango costs start-up time elsewhere

    with translation.override("ja"):
        html = render_to_string(template_name, pdf_context(context))
    from weasyprint.urls import URLFetcher

    # PDFs are made on a closed network: only local files (the font, static images) are read.
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    return document.write_pdf(pdf_tags=True)
