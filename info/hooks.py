"""The info app's contributions to shared features (see core.app_hooks).

Demo data, bench pages and the digest bench are registered in info/demo.py.
"""

from __future__ import annotations

from celery.schedules import crontab
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import pagecache
from core.app_hooks import Figure, MenuEntry, Panel, StaffMenu, hook, register
from core.permissions import may
from info.models import Flyer, FlyerStatus

# Immediate alerts: new matches are gathered every hour (one mail per person per hour at most);
# weekly: Monday 8:00.
BEAT_SCHEDULE = {
    "info-digests-immediate": {
        "task": "info.send_digests",
        "schedule": crontab(minute=5),
        "args": ("immediate",),
    },
    "info-digests-weekly": {
        "task": "info.send_digests",
        "schedule": crontab(minute=0, hour=8, day_of_week=1),
        "args": ("weekly",),
    },
    # Every night: addresses unsubscribed or never confirmed beyond the retention period go.
    "info-purge-subscribers": {
        "task": "info.purge_subscribers",
        "schedule": crontab(minute=30, hour=3),
    },
}
register("beat_schedule", BEAT_SCHEDULE, module=__name__)


@hook("saved_search_sources")
def saved_search_sources() -> list:
    """The group directory, the events calendar and the grants list."""
    from info.sources import saved_search_sources as sources

    return sources()


@hook("home_context")
def home_context() -> dict:
    """The home page's flyers on display."""
    from info.selectors import HOME_FLYERS, flyers_on_display

    return {"flyers": flyers_on_display(limit=HOME_FLYERS)}


@hook("group_page_sections")
def group_page_sections(request, group) -> list[Panel]:
    """The group's flyers on display, and open grants that fit its themes and legal form."""
    from info.selectors import flyers_on_display, grants_fitting

    if not group.is_listed:
        return []
    panels = []
    # Kept until a flyer changes (and for a day at most: what is on display depends on the date).
    flyers = pagecache.kept(
        f"info:group-flyers:{group.pk}:{timezone.localdate()}",
        ("info",),
        lambda: flyers_on_display(group=group),
    )
    for flyer in flyers:
        flyer.group = group  # this page's group, not the copy kept with the flyer
    can_post = may(request.user, "info.add_flyer", group)
    if flyers or can_post:
        panels.append(
            Panel(
                title=_("チラシ"),
                template="info/panels/flyers.html",
                context={"flyers": flyers, "group": group, "can_post": can_post},
            )
        )
    theme_ids = [theme.pk for theme in group.themes.all()]
    # The same for every group of these themes and form: kept until a grant or theme changes
    # (and for a day at most: today is in the key).
    grants = pagecache.kept(
        f"info:grants-fitting:{sorted(theme_ids)}:{group.legal_form}:{group.founded_year}:{timezone.localdate()}",
        ("core", "info"),
        lambda: grants_fitting(
            theme_ids=theme_ids, legal_form=group.legal_form, founded_year=group.founded_year
        ),
    )
    if grants:
        panels.append(
            Panel(
                title=_("この団体に合いそうな助成金"),
                template="info/panels/grants.html",
                context={"grants": grants},
            )
        )
    return panels


@hook("mypage_panels")
def mypage_panels(request) -> list[Panel]:
    from core.workspace import has_role_workspace
    from groups.selectors import groups_of_user
    from info.selectors import flyers_of_groups, grants_fitting, saved_searches_of

    searches = saved_searches_of(request.user)
    panels = []
    if searches or not has_role_workspace(request.user):
        panels.append(
            Panel(
                title=_("保存した検索条件"),
                template="info/panels/searches.html",
                context={"searches": searches},
            )
        )
    groups = [group for group in groups_of_user(request.user) if group.is_listed]
    if groups:
        group = groups[0]
        grants = grants_fitting(
            theme_ids=list(group.themes.values_list("pk", flat=True)),
            legal_form=group.legal_form,
            founded_year=group.founded_year,
        )
        panels.append(
            Panel(
                title=_("団体に合いそうな助成金"),
                template="info/panels/grants.html",
                context={"grants": grants, "group": group},
            )
        )
        panels.append(
            Panel(
                title=_("団体のチラシ"),
                template="info/panels/my_flyers.html",
                context={"groups": groups, "flyers": flyers_of_groups(groups)},
            )
        )
    return panels


staff_links = StaffMenu(
    "info",
    [
        MenuEntry(
            "info:grant_manage",
            gettext_lazy("助成金・支援制度の掲載"),
            gettext_lazy("助成金・支援制度を掲載・編集します（市職員も自課の制度を掲載できます）。"),
        ),
        MenuEntry(
            "info:newsletter_staff",
            gettext_lazy("情報紙の編集と送信"),
            gettext_lazy("情報紙の号をつくり、メールとA4のPDFで確かめて、購読者に送ります。"),
        ),
        MenuEntry(
            "info:flyer_queue",
            gettext_lazy("チラシの確認"),
            gettext_lazy("団体から届いたチラシを確かめて、配架に掲示します。"),
            count=Flyer.objects.filter(status=FlyerStatus.PENDING),
            dashboard=gettext_lazy("確認を待っているチラシ"),
        ),
    ],
)
register("staff_links", staff_links, module=__name__)
register("dashboard_items", staff_links.dashboard_items, module=__name__)


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    """情報集約・発信: only in the report of all programs (information belongs to no program).
    The numbers are info.selectors.figures_for_fiscal_year's; reports words them."""
    if program_code is not None:
        return []
    from info.selectors import figures_for_fiscal_year

    figures = figures_for_fiscal_year(fiscal_year)
    return [
        Figure(f"info.{name}", figures[name])
        for name in ("subscribers", "issues_sent", "grants_posted", "flyers_displayed")
    ]
