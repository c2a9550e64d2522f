"""Atom feeds (Django's syndication framework): new grants, events and registered groups."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from info.models import Grant

FEED_ITEMS = 30


class _JapanAtom1Feed(Atom1Feed):
    """Atom whose feed-level <updated> is in Japan time too (an empty feed's is "now" in UTC)."""

    def latest_post_date(self):
        return timezone.localtime(super().latest_post_date())


class _AtomFeed(Feed):
    """What every feed shares. A feed names the item's attributes it shows; methods only where an
    item needs more than one attribute. Dates are written in Japan time (+09:00), as people read
    them, not as stored (UTC)."""

    feed_type = _JapanAtom1Feed
    language = "ja"
    title_attr = "title"
    description_attr = ""
    pubdate_attr = "created_at"

    def author_name(self) -> str:
        return settings.CENTER_NAME

    def item_title(self, item) -> str:
        return getattr(item, self.title_attr)

    def item_description(self, item) -> str:
        return getattr(item, self.description_attr) if self.description_attr else ""

    def item_pubdate(self, item):
        value = getattr(item, self.pubdate_attr)
        return timezone.localtime(value) if value else None

    def item_updateddate(self, item):
        return timezone.localtime(item.updated_at)


class GrantFeed(_AtomFeed):
    title = _("助成金・支援制度の新着")
    subtitle = _("市民活動に使える助成金・支援制度の新しいお知らせ")
    link = reverse_lazy("info:grant_list")
    pubdate_attr = "published_at"

    def items(self):
        return Grant.objects.published().order_by("-published_at", "-id")[:FEED_ITEMS]

    def item_title(self, item: Grant) -> str:
        return f"{item.title}（{item.provider}）"

    def item_description(self, item: Grant) -> str:
        deadline = (
            gettext("締切: %(day)s") % {"day": date_format(item.closes_on, "DATE_FORMAT")}
            if item.closes_on
            else gettext("締切: 随時")
        )
        return f"{deadline}\n{item.summary}"


class EventFeed(_AtomFeed):
    title = _("催しの新着")
    subtitle = _("センターと登録団体の催し（講座・交流会など）")
    link = reverse_lazy("events:index")
    description_attr = "description"

    def items(self):
        from events.models import Event

        return Event.objects.filter(is_public=True).order_by("-created_at", "-id")[:FEED_ITEMS]


class GroupFeed(_AtomFeed):
    title = _("新しく登録された団体")
    subtitle = _("市民協働支援センターに登録した市民活動団体・NPO")
    link = reverse_lazy("groups:index")
    title_attr = "name"
    description_attr = "purpose"

    def items(self):
        from groups.models import Group

        return Group.objects.public().order_by("-registered_on", "-id")[:FEED_ITEMS]

    def item_pubdate(self, item):
        day = item.registered_on or timezone.localdate(item.created_at)
        return dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())


class NewsletterFeed(_AtomFeed):
    title = _("情報紙の新しい号")
    subtitle = _("市民協働支援センターの情報紙")
    link = reverse_lazy("info:newsletter_index")
    description_attr = "message"
    pubdate_attr = "sent_at"

    def items(self):
        from info.models import IssueStatus, NewsletterIssue

        return NewsletterIssue.objects.filter(status=IssueStatus.SENT).order_by("-sent_at", "-id")[
            :FEED_ITEMS
        ]
