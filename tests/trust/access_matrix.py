"""The declared access matrix: for every URL pattern of the project, who may use it.

One row per URL name (``namespace:name``); a row holds one or more cases (the same page asked
for different objects: one's own and someone else's). Each case names the roles that are
ALLOWED; every other role is denied. tests/trust/test_access_matrix.py checks every cell and
fails when a URL pattern of the project has no row here, so a new page cannot be forgotten.

Roles (see tests/trust/world.py):
    anonymous         not signed in
    member            signed in, edits no group
    other_editor      owner of group B (asks for group A's things: someone else's)
    owner             owner of group A (the owner of most objects here)
    official          市職員 of 子ども家庭支援課 (own department); call A / project P are another department's
    committee         委員
    staff             センター職員 with the consultation permission (相談記録担当 + 監査)
    staff_no_consult  センター職員 after the consultation permission was taken from the staff role
    reviewer          審査委員 (external) who accepted the invitation to call A; nothing of call C

Allowed: 200, or a redirect that is not to the login page; for POST-only endpoints GET answers
405 (a form's endpoint with `get_redirect` sends allowed roles to the form's page instead) and
the POST is judged (200, 400 for an invalid form, or a redirect not to the login page).
Denied: anonymous → a redirect to the login page, 403 or 404; signed-in roles → 403 or 404.
A case may declare `refusal_redirect`: the page (url name, arguments) a view sends denied signed-in
roles to with a message (a friendly refusal that shows nothing); it is checked as precisely as a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from tests.trust.world import ROLES, World

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = frozenset({"staff", "staff_no_consult"})
CONSULT = frozenset({"staff"})
OWNER_OR_STAFF = STAFF | {"owner"}
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    allowed: frozenset[str]
    args: Callable[[World], list] = lambda w: []
    label: str = ""
    post: bool = False  # a POST-only endpoint: GET must answer 405, the POST is judged
    # A form's endpoint whose GET (a reload after an error, a bookmark) sends allowed roles to the
    # form's page instead of 405: the address it must redirect to.
    get_redirect: Callable[[World], str] | None = None
    query: str = ""
    data: Callable[[World], dict] = lambda w: {}
    # (url name, arguments from the world) of the page denied signed-in roles are sent to, with a message
    refusal_redirect: tuple[str, Callable[[World], list]] | None = None
    denied_redirect_prefix: str | None = None  # for the admin: its own login page
    why: str = ""


def row(*cases: Case) -> tuple[Case, ...]:
    return cases


def pk(name: str) -> Callable[[World], list]:
    return lambda w: [getattr(w, name).pk]


def per_object(*objects: tuple[frozenset[str], str, str], post: bool = False) -> tuple[Case, ...]:
    """A row for a page asked for several objects of the world (one public, one hidden...): one
    case per (allowed roles, the world's attribute whose pk the URL takes, label)."""
    return tuple(Case(allowed, args=pk(name), label=label, post=post) for allowed, name, label in objects)


def of_group_a(name: str, *, label: str, why: str = "") -> tuple[Case, ...]:
    """A row for a POST on something of group A (the world's attribute `name`): through group A's
    address for its owner and staff, and through group B's address (`label`) for nobody."""
    return (
        Case(OWNER_OR_STAFF, args=lambda w: [w.group_a.pk, getattr(w, name).pk], post=True),
        Case(NOBODY, args=lambda w: [w.group_b.pk, getattr(w, name).pk], post=True, label=label, why=why),
    )


def _contact_section(name: str) -> Callable[[World], str]:
    return lambda w: getattr(w, name).get_absolute_url() + "#contact-title"


MATRIX: dict[str, tuple[Case, ...]] = {
    # --- core ---------------------------------------------------------------------------------
    "core:home": row(Case(EVERYONE)),
    "core:mypage": row(Case(SIGNED_IN)),
    "core:profile": row(Case(SIGNED_IN)),
    "core:staff_dashboard": row(Case(STAFF)),
    "core:staff_today": row(Case(STAFF)),
    "core:outbox_list": row(Case(STAFF)),
    "core:outbox_detail": row(Case(STAFF, args=pk("failed_outbox_message"))),
    "core:outbox_resend": row(Case(STAFF, args=pk("failed_outbox_message"), post=True)),
    "core:accessibility": row(Case(EVERYONE)),
    "core:privacy": row(Case(EVERYONE)),
    "core:terms": row(Case(EVERYONE)),
    "core:sitemap": row(Case(EVERYONE)),
    "core:healthz": row(Case(EVERYONE)),
    "core:mfa_staff_list": row(Case(STAFF)),
    "core:mfa_staff_issue": row(
        Case(STAFF, args=lambda w: [w.user("committee").pk], post=True, why="mails a one-time set-up link")
    ),
    "core:mfa_enrol": row(Case(SIGNED_IN, why="members are sent on to allauth's TOTP page")),
    "core:mfa_enrol_confirm": row(
        Case(SIGNED_IN, args=lambda w: ["not-a-token"], why="a wrong token sends back to the enrol page")
    ),
    "admin:index": row(Case(STAFF, denied_redirect_prefix="/admin/login/")),
    # --- groups -------------------------------------------------------------------------------
    "groups:index": row(Case(EVERYONE), Case(EVERYONE, label="keyword", query="?q=さくら")),
    "groups:open_data_csv": row(Case(EVERYONE)),
    "groups:open_data_json": row(Case(EVERYONE)),
    "groups:apply": row(Case(SIGNED_IN)),
    "groups:invitation_accept": row(
        Case(SIGNED_IN, args=lambda w: [w.invitation.token], why="the e-mailed token is the capability")
    ),
    "groups:detail": per_object(
        (EVERYONE, "group_a", "approved"), (OWNER_OR_STAFF, "group_draft", "draft of the owner")
    ),
    "groups:contact": row(
        Case(
            EVERYONE,
            args=pk("group_a"),
            label="approved",
            post=True,
            get_redirect=_contact_section("group_a"),
        ),
        Case(
            OWNER_OR_STAFF,
            args=pk("group_draft"),
            label="draft of the owner",
            post=True,
            get_redirect=_contact_section("group_draft"),
        ),
    ),
    "groups:manage": row(Case(OWNER_OR_STAFF, args=pk("group_a"))),
    "groups:edit": row(Case(OWNER_OR_STAFF, args=pk("group_a"))),
    "groups:submit": row(Case(frozenset({"owner"}), args=pk("group_draft"), post=True)),
    "groups:renew": row(Case(OWNER_OR_STAFF, args=pk("group_a"))),
    "groups:change_status": row(Case(OWNER_OR_STAFF, args=lambda w: [w.group_a.pk, "pause"])),
    "groups:invite": row(
        Case(
            OWNER_OR_STAFF,
            args=pk("group_a"),
            post=True,
            data=lambda w: {"email": "someone-new@example.jp"},
            get_redirect=lambda w: reverse("groups:manage", args=[w.group_a.pk]) + "#members-title",
        )
    ),
    "groups:invitation_cancel": of_group_a(
        "invitation",
        label="group B's url, A's invitation",
        why="an editor of B cannot reach A's invitation through B's address",
    ),
    "groups:member_remove": of_group_a("coeditor_membership", label="group B's url, A's membership"),
    "groups:staff_queue": row(Case(STAFF)),
    "groups:staff_changes": row(Case(STAFF)),
    "groups:staff_renewal": row(Case(STAFF)),
    "groups:staff_import": row(Case(STAFF)),
    "groups:staff_import_confirm": row(Case(STAFF, post=True)),
    "groups:staff_export": row(Case(STAFF)),
    "groups:staff_review": row(Case(STAFF, args=pk("group_a"))),
    "groups:staff_history": row(Case(STAFF, args=pk("group_a"))),
    # --- events -------------------------------------------------------------------------------
    "events:index": row(Case(EVERYONE), Case(EVERYONE, label="month", query="?view=month")),
    "events:feed": row(Case(EVERYONE)),
    "events:detail": per_object(
        (EVERYONE, "event", "public"), (STAFF, "private_event", "not public: staff only")
    ),
    "events:ics": per_object((EVERYONE, "event", "public"), (NOBODY, "private_event", "not public")),
    "events:register": per_object(
        (SIGNED_IN, "event", "public"), (STAFF, "private_event", "not public: staff only")
    ),
    "events:cancel": row(Case(OWNER_OR_STAFF, args=pk("registration"), why="the owner's registration")),
    "events:certificate": row(Case(OWNER_OR_STAFF, args=pk("done_registration"))),
    "events:survey": row(Case(EVERYONE, args=lambda w: [w.survey_token], why="signed link")),
    "events:staff_index": row(Case(STAFF)),
    "events:staff_event": per_object((STAFF, "event", "public"), (STAFF, "private_event", "not public")),
    "events:staff_register": row(Case(STAFF, args=pk("event"))),
    "events:staff_survey": row(Case(STAFF, args=pk("course"))),
    "events:staff_checkin": row(Case(STAFF, args=pk("session"))),
    "events:staff_checkin_mark": row(
        Case(STAFF, args=lambda w: [w.session.pk, w.registration.pk], post=True)
    ),
    "events:staff_people": row(Case(STAFF), Case(STAFF, label="search", query="?q=代表")),
    "events:staff_person": row(Case(STAFF, args=lambda w: [w.registration.person_id])),
    "events:staff_merge": row(Case(STAFF)),
    # --- spaces -------------------------------------------------------------------------------
    "spaces:index": row(Case(EVERYONE)),
    "spaces:week": row(
        Case(EVERYONE, args=pk("room")),
        Case(EVERYONE, label="week", args=pk("room"), query="?week=2026-12-07"),
    ),
    "spaces:book": row(
        Case(SIGNED_IN, args=pk("room"), why="who may book is the booking rules' (refusals named)")
    ),
    "spaces:my_bookings": row(Case(SIGNED_IN)),
    "spaces:booking": row(Case(OWNER_OR_STAFF, args=pk("booking_a"))),
    "spaces:booking_ics": row(Case(OWNER_OR_STAFF, args=pk("booking_a"))),
    "spaces:cancel": row(Case(OWNER_OR_STAFF, args=pk("booking_a"), why="before the deadline")),
    "spaces:statement_pdf": row(Case(OWNER_OR_STAFF, args=lambda w: [w.group_a.pk, 2026, 12])),
    "spaces:statement_csv": row(Case(OWNER_OR_STAFF, args=lambda w: [w.group_a.pk, 2026, 12])),
    "spaces:staff_index": row(Case(STAFF)),
    "spaces:staff_book": row(Case(STAFF, args=pk("room"))),
    "spaces:staff_block": row(Case(STAFF, args=pk("room"))),
    "spaces:staff_approve": row(Case(STAFF, args=pk("pending_booking"), post=True)),
    "spaces:staff_no_show": row(Case(STAFF, args=pk("started_booking"), post=True)),
    "spaces:staff_session_clashes": row(Case(STAFF, args=pk("session"))),
    "spaces:staff_session_move": row(
        Case(STAFF, args=lambda w: [w.session.pk, w.booking_a.pk], post=True, why="refused without a target")
    ),
    "spaces:staff_session_cancel": row(Case(STAFF, args=lambda w: [w.session.pk, w.booking_a.pk], post=True)),
    "spaces:staff_machine_use": row(Case(STAFF)),
    "spaces:staff_statements": row(Case(STAFF)),
    # --- projects -----------------------------------------------------------------------------
    "projects:index": row(Case(EVERYONE)),
    "projects:detail": per_object(
        (EVERYONE, "project", "running"), (OWNER_OR_STAFF, "hidden_project", "not public")
    ),
    "projects:call_detail": per_object(
        (EVERYONE, "call_a", "published"), (STAFF, "unpublished_call", "not published")
    ),
    "projects:group_projects": per_object(
        (EVERYONE, "group_a", "registered group"), (NOBODY, "group_draft", "draft group: no public page")
    ),
    "projects:department_projects": row(Case(EVERYONE, args=pk("own_department"))),
    "projects:proposal_create": row(
        Case(
            frozenset({"owner", "other_editor"}),
            args=pk("call_a"),
            refusal_redirect=("projects:call_detail", pk("call_a")),
            why="only editors of a registered group propose; others are sent back to the call with a message",
        ),
        Case(NOBODY, args=pk("unpublished_call"), label="not published"),
    ),
    "projects:my_proposals": row(Case(SIGNED_IN)),
    "projects:proposal_detail": per_object(
        (OWNER_OR_STAFF | {"reviewer"}, "submitted_proposal", "call A: another department's, the 審査委員's"),
        (OWNER_OR_STAFF | {"reviewer"}, "decided_proposal", "call A, decided: its reviewers keep reading it"),
        (
            STAFF | {"other_editor", "official"},
            "own_review_proposal",
            "call reviewed by the official's department",
        ),
        (
            STAFF | {"other_editor"},
            "other_department_proposal",
            "official's call, assigned to another department",
        ),
    ),
    "projects:proposal_edit": row(Case(frozenset({"owner"}), args=pk("draft_proposal"))),
    "projects:proposal_submit": row(Case(frozenset({"owner"}), args=pk("draft_proposal"), post=True)),
    "projects:attachment_upload": row(Case(frozenset({"owner"}), args=pk("draft_proposal"), post=True)),
    "projects:attachment_download": row(Case(OWNER_OR_STAFF | {"reviewer"}, args=pk("attachment"))),
    "projects:attachment_delete": row(Case(frozenset({"owner"}), args=pk("draft_attachment"), post=True)),
    "projects:my_reviews": row(Case(SIGNED_IN)),
    "projects:review_sheet": per_object(
        (STAFF | {"reviewer"}, "reviewer_review", "the 審査委員's own review"),
        (STAFF, "staff_review", "another reviewer's review"),
    ),
    "projects:reviewer_invitation": row(
        Case(
            SIGNED_IN,
            args=lambda w: [w.reviewer_invitation_token],
            why="the signed link is the capability; only the invited address can accept (the page says so)",
        ),
        Case(NOBODY, args=lambda w: ["not-a-signed-token"], label="a wrong link answers 400"),
    ),
    "projects:review": per_object(
        (
            frozenset({"staff", "reviewer"}),
            "review_proposal",
            "call A (staff is its named reviewer, 審査委員 invited)",
        ),
        (frozenset({"official"}), "own_review_proposal", "call C (the official's department)"),
        (NOBODY, "other_department_proposal", "call C, another department's proposal"),
    ),
    "projects:review_conflict": per_object(
        (frozenset({"staff", "reviewer"}), "review_proposal", "call A"),
        (frozenset({"official"}), "own_review_proposal", "call C"),
        post=True,
    ),
    "projects:workspace": per_object(
        (OWNER_OR_STAFF, "project", "group A, another department"),
        (STAFF | {"other_editor", "official"}, "own_project", "group B, own department"),
    ),
    "projects:agreement_pdf": row(Case(OWNER_OR_STAFF, args=pk("project"))),
    "projects:record_add": row(
        Case(OWNER_OR_STAFF, args=lambda w: [w.project.pk, "progress"], label="progress"),
        Case(STAFF, args=lambda w: [w.project.pk, "note"], label="staff note"),
    ),
    "projects:evaluation_edit": row(
        Case(OWNER_OR_STAFF, args=lambda w: [w.project.pk, "group"], label="group side"),
        Case(STAFF | {"official"}, args=lambda w: [w.own_project.pk, "department"], label="department side"),
    ),
    "projects:staff_calls": row(Case(STAFF)),
    "projects:call_create": row(Case(STAFF)),
    "projects:staff_call_detail": row(Case(STAFF, args=pk("call_a"))),
    "projects:call_edit": row(Case(STAFF, args=pk("call_a"))),
    "projects:external_reviewer_invite": row(Case(STAFF, args=pk("call_a"))),
    "projects:side_resolve": row(Case(STAFF, args=pk("review_proposal"), post=True)),
    "projects:criteria_edit": row(Case(STAFF, args=pk("stage"))),
    "projects:proposal_start_review": row(Case(STAFF, args=pk("submitted_proposal"), post=True)),
    "projects:proposal_advance": row(Case(STAFF, args=pk("review_proposal"), post=True)),
    "projects:proposal_decide": row(Case(STAFF, args=pk("review_proposal"))),
    "projects:staff_projects": row(Case(STAFF)),
    "projects:project_register": row(Case(STAFF)),
    "projects:project_edit": row(Case(STAFF, args=pk("project"))),
    "projects:project_transition": row(Case(STAFF, args=pk("project"), post=True)),
    "projects:agreement_edit": row(Case(STAFF, args=pk("project"))),
    "projects:support_logs": row(Case(STAFF)),
    # --- matching -----------------------------------------------------------------------------
    "matching:index": row(Case(EVERYONE)),
    "matching:need_create": row(
        Case(
            frozenset({"owner", "other_editor", "official"}),
            refusal_redirect=("matching:business_create", lambda w: []),
            why="only those acting for a party post; others are offered a business profile",
        )
    ),
    "matching:need_detail": per_object((EVERYONE, "need", "open"), (OWNER_OR_STAFF, "closed_need", "closed")),
    "matching:need_edit": row(Case(OWNER_OR_STAFF, args=pk("need"))),
    "matching:need_close": row(Case(OWNER_OR_STAFF, args=pk("need"), post=True)),
    "matching:offer_create": row(
        Case(
            frozenset({"owner", "other_editor", "official"}),
            refusal_redirect=("matching:business_create", lambda w: []),
        )
    ),
    "matching:offer_detail": per_object(
        (EVERYONE, "offer", "open"), (OWNER_OR_STAFF, "closed_offer", "closed")
    ),
    "matching:offer_edit": row(Case(OWNER_OR_STAFF, args=pk("offer"))),
    "matching:offer_close": row(Case(OWNER_OR_STAFF, args=pk("offer"), post=True)),
    "matching:business_create": row(Case(SIGNED_IN)),
    "matching:business_detail": per_object(
        (EVERYONE, "business", "approved"),
        (STAFF, "pending_business", "pending (its member is none of the roles)"),
    ),
    "matching:business_edit": row(Case(STAFF, args=pk("business"))),
    "matching:department_detail": row(Case(EVERYONE, args=pk("own_department"))),
    "matching:suggestions": row(
        Case(OWNER_OR_STAFF, args=lambda w: [f"group-{w.group_a.pk}"], label="group A"),
        Case(
            STAFF, args=lambda w: [f"business-{w.business.pk}"], label="a business (its member has no role)"
        ),
        Case(
            STAFF | {"official"}, args=lambda w: [f"department-{w.own_department.pk}"], label="own department"
        ),
    ),
    "matching:staff_business_queue": row(Case(STAFF)),
    "matching:staff_business_decide": row(Case(STAFF, args=pk("pending_business"), post=True)),
    "matching:introduce": row(
        Case(STAFF, args=lambda w: [f"group-{w.group_b.pk}", f"business-{w.business.pk}"])
    ),
    "matching:pipeline": row(Case(STAFF)),
    "matching:match_detail": row(Case(STAFF, args=pk("match"))),
    "matching:match_transition": row(Case(STAFF, args=pk("match"), post=True)),
    "matching:match_resend": row(Case(STAFF, args=pk("match"), post=True)),
    # --- consultations (personal information: staff holding the permission only) ----------------
    "consultations:index": row(Case(CONSULT)),
    "consultations:create": row(Case(CONSULT)),
    "consultations:export": row(Case(CONSULT)),
    "consultations:search": row(Case(CONSULT, query="?q=さくら")),
    "consultations:statistics": row(Case(CONSULT)),
    "consultations:statistics_export": row(Case(CONSULT)),
    "consultations:group_history": row(Case(CONSULT, args=pk("group_a"))),
    "consultations:detail": row(Case(CONSULT, args=pk("consultation"))),
    "consultations:update": row(Case(CONSULT, args=pk("consultation"))),
    "consultations:referral_add": row(Case(CONSULT, args=pk("consultation"), post=True)),
    "consultations:follow_up_add": row(Case(CONSULT, args=pk("consultation"), post=True)),
    "consultations:related_links": row(Case(CONSULT, args=pk("consultation"), post=True)),
    "consultations:referral_result": row(Case(CONSULT, args=pk("referral"), post=True)),
    "consultations:follow_up_done": row(Case(CONSULT, args=pk("follow_up"), post=True)),
    "consultations:follow_ups": row(Case(CONSULT)),
    "consultations:access_log": row(Case(CONSULT, why="staff holds the auditors' role too")),
    "consultations:anonymise_now": row(
        Case(CONSULT, post=True, why="auditors who may also see consultations")
    ),
    # --- reports ------------------------------------------------------------------------------
    "reports:index": row(Case(STAFF | {"committee"})),
    "reports:request": row(
        Case(STAFF, post=True, data=lambda w: {"program": "mirai_taiwa", "fiscal_year": "2025"})
    ),
    "reports:retry": row(Case(STAFF, args=pk("failed_report"), post=True)),
    "reports:download": row(Case(STAFF | {"committee"}, args=pk("done_report"))),
    "reports:figures_csv": row(Case(STAFF | {"committee"}, args=pk("done_report"))),
    "reports:figures_xlsx": row(Case(STAFF | {"committee"}, args=pk("done_report"))),
    "reports:outcome_list": row(Case(STAFF)),
    "reports:outcome_create": row(Case(STAFF)),
    "reports:outcome_update": row(Case(STAFF, args=pk("outcome"))),
    "reports:assessment": row(Case(STAFF, args=lambda w: [2025, "mirai_taiwa"])),
    "reports:finalize": row(Case(STAFF, args=lambda w: [2025, "all"], post=True)),
    # --- info ---------------------------------------------------------------------------------
    "info:index": row(Case(EVERYONE)),
    "info:grant_list": row(Case(EVERYONE), Case(EVERYONE, label="filtered", query="?legal_form=npo&soon=on")),
    "info:grant_archive": row(Case(EVERYONE)),
    "info:grant_detail": row(
        Case(EVERYONE, args=pk("grant_own"), label="published"),
        Case(NOBODY, args=pk("grant_hidden"), label="unpublished", why="staff see it on the manage page"),
    ),
    "info:grant_manage": row(Case(STAFF | {"official"})),
    "info:grant_create": row(Case(STAFF | {"official"})),
    "info:grant_edit": per_object(
        (STAFF | {"official"}, "grant_own", "own department"), (STAFF, "grant_other", "another department")
    ),
    "info:search_list": row(Case(SIGNED_IN)),
    "info:search_create": row(Case(SIGNED_IN, query="?kind=groups&query=q%3D%E5%AD%90")),
    "info:search_edit": row(Case(frozenset({"owner"}), args=pk("saved_search"))),
    "info:search_delete": row(Case(frozenset({"owner"}), args=pk("saved_search"), post=True)),
    "info:unsubscribe": row(
        Case(EVERYONE, args=lambda w: [w.unsubscribe_token], why="the signed link is the capability")
    ),
    "info:flyer_rack": row(Case(EVERYONE)),
    "info:flyer_create": row(Case(OWNER_OR_STAFF, args=pk("group_a"))),
    "info:flyer_queue": row(Case(STAFF)),
    "info:flyer_review": row(
        Case(STAFF, args=pk("flyer_pending"), post=True, data=lambda w: {"decision": "approve"})
    ),
    "info:flyer_file": per_object(
        (EVERYONE, "flyer_shown", "on display"), (OWNER_OR_STAFF, "flyer_pending", "waiting for staff")
    ),
    "info:flyer_thumbnail": per_object(
        (EVERYONE, "flyer_shown", "on display"), (OWNER_OR_STAFF, "flyer_pending", "waiting for staff")
    ),
    "info:newsletter_index": row(Case(EVERYONE)),
    "info:newsletter_detail": row(
        Case(EVERYONE, args=pk("issue_sent"), label="sent"),
        Case(NOBODY, args=pk("issue_draft"), label="draft", why="staff see a draft on its preview page"),
    ),
    "info:newsletter_subscribe": row(Case(EVERYONE)),
    "info:newsletter_confirm": row(
        Case(EVERYONE, args=lambda w: [w.newsletter_confirm_token], why="the mailed link is the capability")
    ),
    "info:newsletter_unsubscribe": row(
        Case(
            EVERYONE, args=lambda w: [w.newsletter_unsubscribe_token], why="the mailed link is the capability"
        )
    ),
    "info:newsletter_staff": row(Case(STAFF)),
    "info:newsletter_create": row(Case(STAFF)),
    "info:newsletter_edit": row(Case(STAFF, args=pk("issue_draft"))),
    "info:newsletter_preview": row(Case(STAFF, args=pk("issue_draft"))),
    "info:newsletter_pdf": row(Case(STAFF, args=pk("issue_draft"))),
    "info:newsletter_send": row(Case(STAFF, args=pk("issue_draft"), post=True)),
    "info:feed_newsletter": row(Case(EVERYONE)),
    "info:feed_grants": row(Case(EVERYONE)),
    "info:feed_events": row(Case(EVERYONE)),
    "info:feed_groups": row(Case(EVERYONE)),
}


def cells() -> list[tuple[str, int, str]]:
    """(url name, case index, role) for every cell of the matrix."""
    return [
        (name, index, role) for name, cases in MATRIX.items() for index in range(len(cases)) for role in ROLES
    ]


def cell_id(name: str, index: int, role: str) -> str:
    label = MATRIX[name][index].label
    return f"{name}{'[' + label + ']' if label else ''}-{role}"


# Rows whose answers hold personal data (names, contacts, consultation records, rosters, private
# files): each must send `Cache-Control: no-store` (tests/trust/test_cache_control.py).
PERSONAL: frozenset[str] = frozenset(
    {
        "core:mypage",
        "core:mfa_enrol",
        "core:mfa_staff_list",
        "groups:invitation_accept",
        "events:staff_checkin",
        "events:staff_survey",
        "spaces:booking_ics",
        "projects:agreement_pdf",
        "projects:support_logs",
        "consultations:create",
        "consultations:update",
        "matching:business_edit",
        "reports:download",
        "core:profile",
        "info:search_list",
        "info:search_edit",
        "info:flyer_queue",
        "info:newsletter_confirm",
        "core:outbox_list",
        "core:outbox_detail",
        "groups:manage",
        "groups:edit",
        "groups:staff_queue",
        "groups:staff_changes",
        "groups:staff_renewal",
        "groups:staff_export",
        "groups:staff_review",
        "groups:staff_history",
        "events:staff_event",
        "events:staff_register",
        "events:staff_merge",
        "events:staff_people",
        "events:staff_person",
        "events:certificate",
        "events:survey",
        "spaces:my_bookings",
        "spaces:booking",
        "spaces:statement_pdf",
        "spaces:statement_csv",
        "spaces:staff_index",
        "spaces:staff_session_clashes",
        "projects:my_proposals",
        "projects:proposal_detail",
        "projects:attachment_download",
        "projects:review",
        "projects:review_sheet",
        "projects:workspace",
        "matching:pipeline",
        "matching:match_detail",
        "consultations:index",
        "consultations:export",
        "consultations:search",
        "consultations:group_history",
        "consultations:detail",
        "consultations:follow_ups",
        "consultations:access_log",
    }
)
