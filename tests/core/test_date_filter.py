"""|date answers as Django's does; the text of a plain date is kept (core.templatetags.kyodo)."""

import datetime as dt
import re

from django.template import Context, Template
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_a_plain_date_as_django_formats_it_asked_twice():
    day = dt.date(2026, 4, 1)
    for _ in range(2):
        assert render('{{ d|date:"Y年n月j日" }}', d=day) == "2026年4月1日"
        assert (
            render('{{ d|date:"n月j日（D）" }}', d=day) == django_date(day, "n月j日（D）") == "4月1日（水）"
        )
        assert render("{{ d|date }}", d=day) == django_date(day)


def test_the_kept_text_follows_the_language():
    day = dt.date(2026, 4, 1)
    with translation.override("ja"):
        assert render('{{ d|date:"D" }}', d=day) == "水"
    with translation.override("en"):
        assert render('{{ d|date:"D" }}', d=day) == "Wed"


def test_a_date_and_time_is_shown_in_japan_time_and_empty_values_as_nothing():
    """Not kept: its text depends on the time zone (a UTC instant is shown as Tokyo time)."""
    instant = dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC)  # 1 April 0:30 in Tokyo
    with timezone.override("Asia/Tokyo"):
        assert render('{{ t|date:"Y年n月j日 G:i" }}', t=instant) == "2026年4月1日 0:30"
        # The portal's DATETIME_FORMAT (core/formats) reads the same, a space before the time.
        assert render('{{ t|date:"DATETIME_FORMAT" }}', t=instant) == "2026年4月1日 0:30"
    assert render('[{{ d|date:"Y" }}]', d=None) == "[]" and render('[{{ d|date:"Y" }}]', d="") == "[]"


def test_templates_write_a_date_and_time_in_the_portals_one_format():
    """A date and time written out by hand drifted (H:i or G:i, a space or none): templates use
    DATETIME_FORMAT (core/formats), the one place that says how it reads."""
    from pathlib import Path

    from django.conf import settings

    hand_written = re.compile(r'\|date:"Y年n月j日 ?[GH]:i"')
    folders = [Path(settings.SITE_DIR) / "templates"] + [
        Path(settings.BASE_DIR) / app / "templates" for app in settings.PROJECT_APPS
    ]
    found = [
        str(path.relative_to(settings.BASE_DIR))
        for folder in folders
        for path in sorted(folder.rglob("*.html"))
        if hand_written.search(path.read_text(encoding="utf-8"))
    ]
    assert not found, f'use |date:"DATETIME_FORMAT" in {found}'
