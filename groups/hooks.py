"""The group registry's contributions to shared features (see core.app_hooks).

The group page (/groups/<id>/) also COLLECTS from other apps: an app's hooks.py may register

    @hook("group_page_sections")
    def group_page_sections(request, group) -> list[core.app_hooks.Panel]

and each Panel is shown as a section of the group page (its title as an h2), rendering
Panel.template with `group` and `panel` (= Panel.context) in the context: events and projects
put "this group's events / projects" there. Keep it to a fixed number of queries.
"""

from __future__ import annotations

from celery.schedules import crontab
from django.urls import reverse
from django.utils.translation import gettext as _

from core.app_hooks import DashboardItem, Link, Panel, Urgency, hook, register
from groups.selectors import recently_registered_groups

# 毎月1日 9:00: remind groups that have not confirmed this fiscal year's details.
BEAT_SCHEDULE = {
    "groups-renewal-reminders": {
        "task": "groups.send_renewal_reminders",
        "schedule": crontab(minute=0, hour=9, day_of_month=1),
    },
}
register("beat_schedule", BEAT_SCHEDULE, module=__name__)


@hook("mypage_panels")
def mypage_panels(request) -> list[Panel]:
    from core.fiscal import current_fiscal_year
    from core.predicates import is_business_member
    from core.workspace import has_role_workspace
    from groups.selectors import groups_of_user

    groups = list(groups_of_user(request.user))
    if not groups and (has_role_workspace(request.user) or is_business_member(request.user)):
        # Staff, officials, the committee and businesses do not apply for a group from here.
        return []
    return [
        Panel(
            title=_("わたしの団体"),
            template="groups/panels/my_groups.html",
            context={"groups": groups, "fiscal_year": current_fiscal_year()},
        )
    ]


@hook("staff_links")
def staff_links(request) -> list[Link]:
    from groups.selectors import pending_count, renewal_counts

    counts = renewal_counts()
    return [
        Link(
            title=_("団体登録の申請（確認待ち）"),
            url=reverse("groups:staff_queue"),
            description=_("申請を確認して、承認または差戻しをします。"),
            count=pending_count(),
            section="groups",
        ),
        Link(
            title=_("団体の年次更新の状況"),
            url=reverse("groups:staff_renewal"),
            description=_("今年度の更新が済んでいない団体の一覧と、お知らせメールの送信。"),
            count=counts["total"] - counts["renewed"],
            section="groups",
        ),
        Link(
            title=_("団体情報の最近の変更"),
            url=reverse("groups:staff_changes"),
            description=_("登録団体が自分で編集した内容（すぐ公開されます）を確認します。"),
            section="groups",
        ),
        Link(
            title=_("団体のCSV取り込み・書き出し"),
            url=reverse("groups:staff_import"),
            description=_("Excelで作った名簿の取り込み（UTF-8・Shift_JIS）、全項目の書き出し（Excel対応）。"),
            section="groups",
        ),
    ]


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    from groups.selectors import pending_count

    return [
        DashboardItem(
            title=_("団体登録の申請（確認待ち）"),
            url=reverse("groups:staff_queue"),
            count=pending_count(),
            urgency=Urgency.SOON,
        )
    ]


@hook("home_context")
def home_context() -> dict:
    """The home page's newly registered groups."""
    return {"new_groups": list(recently_registered_groups(limit=6))}
