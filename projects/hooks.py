"""The projects app's contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import pagecache
from core.app_hooks import (
    DashboardItem,
    Figure,
    MenuEntry,
    Panel,
    StaffMenu,
    Urgency,
    dashboard_counts,
    hook,
    register,
)
from core.predicates import is_center_staff, is_external_reviewer, is_official
from projects.models import Proposal, ProposalStatus

PROGRAM_CODE = "project_support"


@hook("mypage_panels")
def mypage_panels(request) -> list[Panel]:
    from projects import selectors
    from projects.models import Project
    from projects.rules import department_ids, member_group_ids

    user = request.user
    panels = []
    group_ids = member_group_ids(user)
    if group_ids:
        panels.append(
            Panel(
                title=gettext("団体の協働事業の提案"),
                template="projects/panels/my_proposals.html",
                context={
                    "proposals": list(selectors.proposal_list_for_member(user)[:5]),
                    "projects": list(
                        Project.objects.filter(lead_group_id__in=group_ids)
                        .exclude(status__in=["done", "cancelled"])
                        .order_by("-fiscal_year", "pk")[:5]
                    ),
                    "open_calls": selectors.open_calls(),
                },
            )
        )
    assignments = [a for a in selectors.review_assignments(user) if not a.done]
    departments = department_ids(user)
    if assignments or is_official(user) or is_center_staff(user) or is_external_reviewer(user):
        projects = (
            list(
                Project.objects.filter(department_id__in=departments)
                .exclude(status__in=["done", "cancelled"])
                .order_by("-fiscal_year", "pk")[:5]
            )
            if departments
            else []
        )
        panels.append(
            Panel(
                title=gettext("審査する提案"),
                template="projects/panels/my_reviews.html",
                context={"assignments": assignments[:10], "projects": projects},
            )
        )
    return panels


staff_links = StaffMenu(
    "projects",
    [
        MenuEntry(
            "projects:staff_calls",
            _("協働事業の募集と審査"),
            _("募集の作成、評価項目、提案の審査状況と順位、採択・不採択・差戻しの決定。"),
            count=Proposal.objects.filter(status=ProposalStatus.SUBMITTED),
        ),
        MenuEntry(
            "projects:staff_projects",
            _("協働事業の管理"),
            _("協定書、実施中の進捗、中間ふりかえり、相互評価、成果発表。プロジェクト登録・支援の登録。"),
        ),
        MenuEntry(
            "projects:support_logs",
            _("プロジェクト支援の記録"),
            _("メンター面談・ハンズオン支援の記録（日付・支援した人・内容）。"),
        ),
    ],
)
register("staff_links", staff_links, module=__name__)


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    """Reviews past their deadline; proposals waiting for the review to start, and those past their
    stage's 審査日 (one query)."""
    from django.db.models import Q
    from django.utils import timezone

    from projects.selectors import overdue_reviews

    url = reverse("projects:staff_calls")
    past_review_day = Q(status=ProposalStatus.UNDER_REVIEW, current_stage__held_on__lt=timezone.localdate())
    rows = [
        (gettext("審査日を過ぎても審査中の提案"), past_review_day, Urgency.URGENT),
        (gettext("提出された提案（審査の開始待ち）"), Q(status=ProposalStatus.SUBMITTED), Urgency.SOON),
    ]
    late = len(overdue_reviews())
    return [
        DashboardItem(gettext("審査の締切を過ぎても終わっていない審査"), url, late, Urgency.URGENT),
        *dashboard_counts(url, Proposal.objects.all(), rows),
    ]


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    """Proposals received and adopted, agreements signed, projects registered and supported, sessions."""
    if program_code not in (None, PROGRAM_CODE):
        return []
    from projects.selectors import project_support_figures

    return project_support_figures(fiscal_year)


GROUP_PAGE_PROJECTS = 5


@hook("group_page_sections")
def group_page_sections(request, group) -> list[Panel]:
    """The group's public projects (as lead or partner) on its page, newest first."""
    from projects.selectors import projects_for_group

    # The same for every visitor: kept until a project, group, business or theme changes.
    projects = pagecache.kept(
        f"projects:group-page:{group.pk}",
        ("core", "groups", "matching", "projects"),
        lambda: list(projects_for_group(group)[: GROUP_PAGE_PROJECTS + 1]),
    )
    if not projects:
        return []
    return [
        Panel(
            title=gettext("協働事業"),
            template="projects/panels/group_projects.html",
            context={
                "projects": projects[:GROUP_PAGE_PROJECTS],
                "more": len(projects) > GROUP_PAGE_PROJECTS,
                "all_url": reverse("projects:group_projects", args=[group.pk]),
            },
        )
    ]
