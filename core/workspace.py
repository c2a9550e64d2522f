"""Where each role starts and what the header offers it: one table for the login redirect and
the header (氏名（役割） and the role's main links).

Staff start on 今日の対応, city officials and external 審査委員 on the proposals they review (deadlines
first), committee members on the reports of the year, everyone else on マイページ. The role is decided
by core.predicates; a person with several roles gets the first matching row (staff before official
before 審査委員 before committee).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.predicates import is_center_staff, is_committee_member, is_external_reviewer, is_official


@dataclass(frozen=True)
class Workspace:
    label: str  # the role, shown after the person's name
    home: str  # URL name of the page the role starts on after login
    links: tuple[tuple[str, str], ...]  # (title, URL name): the role's main links in the header


MYPAGE = (_("マイページ"), "core:mypage")

ROLE_WORKSPACES = (
    (
        is_center_staff,
        Workspace(
            label=_("センター職員"),
            home="core:staff_today",
            links=(
                (_("今日の対応"), "core:staff_today"),
                (_("職員メニュー"), "core:staff_dashboard"),
                (_("管理画面"), "admin:index"),
            ),
        ),
    ),
    (
        is_official,
        Workspace(
            label=_("市職員"),
            home="projects:my_reviews",
            links=((_("審査する提案"), "projects:my_reviews"), MYPAGE),
        ),
    ),
    (
        # An external 審査委員 comes for the proposals of the calls they accepted, like an official.
        is_external_reviewer,
        Workspace(
            label=_("審査委員"),
            home="projects:my_reviews",
            links=((_("審査する提案"), "projects:my_reviews"), MYPAGE),
        ),
    ),
    (
        is_committee_member,
        Workspace(
            label=_("委員"),
            home="reports:index",
            links=((_("成果報告書"), "reports:index"), MYPAGE),
        ),
    ),
)

CITIZEN = Workspace(label=_("利用者"), home="core:mypage", links=(MYPAGE,))


def workspace_for(user) -> Workspace:
    """The workspace of a signed-in person (no query beyond the cached role names)."""
    for predicate, workspace in ROLE_WORKSPACES:
        if predicate(user):
            return workspace
    return CITIZEN


def has_role_workspace(user) -> bool:
    """Staff, officials, 審査委員 and committee members: マイページ leaves out what only citizens and
    businesses do (applying for a group, a business profile) unless they already do it."""
    return workspace_for(user) is not CITIZEN


def home_url(user) -> str:
    return reverse(workspace_for(user).home)
