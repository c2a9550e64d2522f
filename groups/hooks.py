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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.app_hooks import MenuEntry, Panel, StaffMenu, hook, register
from groups.selectors import pending_count, recently_registered_groups, renewal_counts

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
    fiscal_year = current_fiscal_year()
    groups = list(groups_of_user(user))
    for group in groups:
        group.renewal_is_due = group.renewal_due(fiscal_year)
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
                "fiscal_year": fiscal_year,
            },
        )
    ]


def _renewals_due() -> int:
    renewals = renewal_counts()
    return renewals["total"] - renewals["renewed"]


staff_links = StaffMenu(
    "groups",
    [
        MenuEntry(
            "groups:staff_queue",
            gettext_lazy("団体登録の申請（確認待ち）"),
            gettext_lazy("申請を確認して、承認または差戻しをします。"),
            count=pending_count,
            dashboard=gettext_lazy("団体登録の申請（確認待ち）"),
        ),
        MenuEntry(
            "groups:staff_renewal",
            gettext_lazy("団体の年次更新の状況"),
            gettext_lazy("今年度の更新が済んでいない団体の一覧と、お知らせメールの送信。"),
            count=_renewals_due,
        ),
        MenuEntry(
            "groups:staff_changes",
            gettext_lazy("団体情報の最近の変更"),
            gettext_lazy("登録団体が自分で編集した内容（すぐ公開されます）を確認します。"),
        ),
        MenuEntry(
            "groups:staff_import",
            gettext_lazy("団体のCSV取り込み・書き出し"),
            gettext_lazy("Excelで作った名簿の取り込み（UTF-8・Shift_JIS）、全項目の書き出し（Excel対応）。"),
        ),
    ],
)
register("staff_links", staff_links, module=__name__)

register("dashboard_items", staff_links.dashboard_items, module=__name__)


@hook("home_context")
def home_context() -> dict:
    """The home page's newly registered groups."""
    return {"new_groups": list(recently_registered_groups(limit=6))}
