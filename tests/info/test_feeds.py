"""Atom feeds: valid Atom with the newest items, linked from every page."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.urls import reverse

from tests.events.factories import EventFactory
from tests.groups.factories import GroupFactory
from tests.info.conftest import JST
from tests.info.factories import GrantFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, name) -> tuple[ET.Element, list[str]]:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    return feed, [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]


def test_feeds_list_published_grants_public_events_and_registered_groups(client, frozen):
    GrantFactory(title="子育て応援助成", provider="みらい財団")
    GrantFactory(title="非公開の助成", hidden=True)
    EventFactory(title="NPO活動PRフェア")
    EventFactory(title="内部の打合せ", is_public=False)
    GroupFactory(name="ひだまりの会")
    GroupFactory(name="申請中の会", pending=True)

    _feed, grants = entries(client, "info:feed_grants")
    assert grants == ["子育て応援助成（みらい財団）"]
    _feed, events = entries(client, "info:feed_events")
    assert events == ["NPO活動PRフェア"]
    feed, groups = entries(client, "info:feed_groups")
    assert groups == ["ひだまりの会"]
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"


def test_pages_link_the_feeds(client):
    page = client.get(reverse("core:home")).content.decode()
    for name in ("info:feed_grants", "info:feed_events", "info:feed_groups"):
        assert '<link rel="alternate" type="application/atom+xml" title="' in page
        assert f'href="{reverse(name)}"' in page


def test_feed_dates_are_in_japan_time(client, staff_user):
    """Every date of every feed is written with +09:00: a grant published at 07:30 on 1 June in
    Japan (still 31 May in UTC) is dated 2026-06-01T07:30:00+09:00, as is an empty feed's <updated>."""
    from info.models import IssueStatus, NewsletterIssue

    at = dt.datetime(2026, 6, 1, 7, 30, tzinfo=JST)
    with time_machine.travel(at, tick=False):
        GrantFactory(title="子育て応援助成")
        EventFactory(title="NPO活動PRフェア")
        GroupFactory(name="ひだまりの会")
        NewsletterIssue.objects.create(number=1, title="第1号", status=IssueStatus.SENT, sent_at=at)
        for name in ("info:feed_grants", "info:feed_events", "info:feed_groups", "info:feed_newsletter"):
            feed, _titles = entries(client, name)
            dates = [
                element.text
                for element in feed.iter()
                if element.tag in (f"{ATOM}updated", f"{ATOM}published")
            ]
            assert dates and all(date.endswith("+09:00") for date in dates), (name, dates)
        feed, _titles = entries(client, "info:feed_grants")
        assert feed.find(f"{ATOM}entry/{ATOM}published").text == "2026-06-01T07:30:00+09:00"
        NewsletterIssue.objects.all().delete()
        feed, titles = entries(client, "info:feed_newsletter")
        assert titles == [] and feed.findtext(f"{ATOM}updated").endswith("+09:00")
