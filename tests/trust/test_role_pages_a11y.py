"""Every page each signed-in role may open, checked in Chromium at 1280 px and at 360 px.

The pages come from the access matrix (tests/trust/access_matrix.py): for each role, every URL
whose row allows that role and answers a GET. At both widths axe-core must find no serious or
critical violation, and at 360 px no page may scroll sideways and no table cell may wrap inside
a number, date, code or short word.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import signed_in_context
from tests.trust.access_matrix import MATRIX
from tests.trust.test_public_pages_a11y import NOT_HTML, PHONE_WIDTH, phone_layout_problems
from tests.trust.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every signed-in role of the access matrix, and the business person (no role of the matrix: a
# member who keeps a business's profile). Each role is its own test id (minutes each on 2 cores:
# run one with -k).
ROLES = (
    "committee",
    "official",
    "reviewer",
    "member",
    "owner",
    "other_editor",
    "staff",
    "staff_no_consult",
    "business",
)
# The business person opens what any signed-in member may, and its own business's pages.
BUSINESS_PAGES = (
    ("matching:business_detail", "business"),
    ("matching:business_detail", "pending_business"),
    ("matching:business_edit", "business"),
    ("matching:business_edit", "pending_business"),
)
# Pages that are no HTML page of their own (downloads, exports) or belong to the Django admin.
SKIP = NOT_HTML | {
    "groups:staff_export",
    "consultations:export",
    "consultations:statistics_export",
    "reports:download",
    "reports:figures_csv",
    "reports:figures_xlsx",
    "projects:agreement_pdf",
    "projects:attachment_download",
    "spaces:statement_pdf",
    "spaces:statement_csv",
    "spaces:booking_ics",
    "events:certificate",
    "info:newsletter_pdf",
}


def role_pages(world, role: str) -> list[tuple[str, str]]:
    """(name, path) of every page the matrix lets `role` open with a GET."""
    if role == "business":
        own = [
            (f"{name}（{obj}）", reverse(name, args=[getattr(world, obj).pk])) for name, obj in BUSINESS_PAGES
        ]
        return role_pages(world, "member") + own
    pages = []
    for name, cases in MATRIX.items():
        if name in SKIP or name.startswith("admin:"):
            continue
        for case in cases:
            if case.post or role not in case.allowed:
                continue
            label = f"{name}{'（' + case.label + '）' if case.label else ''}"
            pages.append((label, reverse(name, args=case.args(world)) + case.query))
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_passes_axe_at_both_widths(
    role, chromium_browser, live_server, axe_recorder, transactional_db
):
    """No serious or critical axe violation on any page the role may open, at 1280 and 360 px;
    at 360 px no sideways scroll and no table cell wrapping inside a token."""
    world = build_world()
    user = world.business_person if role == "business" else world.users[role]
    pages = role_pages(world, role)
    assert len(pages) > 5
    failures = []
    for phone in (False, True):
        width = PHONE_WIDTH if phone else 1280
        context, page = signed_in_context(
            chromium_browser,
            live_server,
            user,
            viewport={"width": width, "height": 740 if phone else 900},
            is_mobile=phone,
            has_touch=phone,
        )
        for name, path in pages:
            response = page.goto(path)
            if response is None or response.status != 200:
                failures.append(f"{name} ({path}) answered {response and response.status} at {width}px")
                continue
            if "html" not in (response.headers.get("content-type") or ""):
                continue
            serious = axe_recorder.check(page, f"{role}: {name} ({width}px)")
            for v in serious:
                targets = [n.get("target") for n in v.get("nodes", [])][:3]
                failures.append(f"{name} ({path}) at {width}px: {v['id']} ({v.get('impact')}) {targets}")
            if phone:
                failures += phone_layout_problems(page, f"{name} ({path}) at {width}px")
        context.close()
    # The signed-in pages are not published on the accessibility page (only public ones are).
    for name in [n for n in axe_recorder.pages if n.startswith(f"{role}: ")]:
        del axe_recorder.pages[name]
    assert not failures, "\n".join(failures)
