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

from core.app_hooks import DashboardItem, Link, Panel, Urgency, hook, menu_links, register
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
    from core.permissions import may
    from core.predicates import is_business_member
    from core.workspace import has_role_workspace
    from groups.selectors import groups_of_user, open_invitations_for

    user = request.user
    groups = list(groups_of_user(user))
    invitations = open_invitations_for(user)
    # 団体登録を申請する is offered to whom the rules let apply (groups.apply_group), but not
    # here to staff, officials, the committee and businesses who edit no group: they do not
    # use it (they still may, from 団体をさがす). An invitation alone does not change that.
    offer_application = may(user, "groups.apply_group") and (
        bool(groups) or not (has_role_workspace(user) or is_business_member(user))
    )
    if not (groups or invitations or offer_application):
        return []
    return [
        Panel(
            title=_("わたしの団体"),
            template="groups/panels/my_groups.html",
            context={
                "groups": groups,
                "invitations": invitations,
                "offer_application": offer_application,
                "fiscal_year": current_fiscal_year(),
            },
        )
    ]


@hook("staff_links")
def staff_links(request) -> list[Link]:
    from groups.selectors import pending_count, renewal_counts

    rows = [
        (
            "groups:staff_queue",
            _("団体登録の申請（確認待ち）"),
            _("申請を確認して、承認または差戻しをします。"),
        ),
        (
            "groups:staff_renewal",
            _("団体の年次更新の状況"),
            _("今年度の更新が済んでいない団体の一覧と、お知らせメールの送信。"),
        ),
        (
            "groups:staff_changes",
            _("団体情報の最近の変更"),
            _("登録団体が自分で編集した内容（すぐ公開されます）を確認します。"),
        ),
        (
            "groups:staff_import",
            _("団体のCSV取り込み・書き出し"),
            _("Excelで作った名簿の取り込み（UTF-8・Shift_JIS）、全項目の書き出し（Excel対応）。"),
        ),
    ]
    renewals = renewal_counts()
    counts = {
        "groups:staff_queue": pending_count(),
        "groups:staff_renewal": renewals["total"] - renewals["renewed"],
    }
    return menu_links("groups", rows, counts)


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    from groups.selectors import pending_count

    queue = reverse("groups:staff_queue")
    return [DashboardItem(_("団体登録の申請（確認待ち）"), queue, pending_count(), Urgency.SOON)]


@hook("home_context")
def home_context() -> dict:
    """The home page's newly registered groups."""
    return {"new_groups": list(recently_registered_groups(limit=6))}
