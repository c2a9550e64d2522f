"""Who may see consultations: a matrix of roles against every page, the admin, exports and search."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from consultations.models import ConsultationAccessLog
from consultations.rules import user_can_access, user_can_audit
from core.roles import Role

from .conftest import take_access_from_staff_role
from .factories import FollowUpFactory, ReferralFactory

pytestmark = pytest.mark.django_db

ROLES = ["staff", "staff_without_access", "official", "committee", "member", "anonymous"]


@pytest.fixture
def user_for(request, staff_user, official_user, committee_user, member):
    def get(role: str):
        if role == "staff_without_access":
            return request.getfixturevalue("staff_without_access")
        return {
            "staff": staff_user,
            "official": official_user,
            "committee": committee_user,
            "member": member,
            "anonymous": None,
        }[role]

    return get


def staff_pages(consultation) -> dict[str, str]:
    referral = ReferralFactory(consultation=consultation)
    follow_up = FollowUpFactory(consultation=consultation)
    return {
        "list": reverse("consultations:index"),
        "list_search": reverse("consultations:index") + "?q=助成金",
        "create": reverse("consultations:create"),
        "detail": reverse("consultations:detail", args=[consultation.pk]),
        "update": reverse("consultations:update", args=[consultation.pk]),
        "export": reverse("consultations:export"),
        "statistics": reverse("consultations:statistics"),
        "statistics_export": reverse("consultations:statistics_export"),
        "party_search": reverse("consultations:search") + "?q=みらい",
        "group_history": reverse("consultations:group_history", args=[consultation.group_id]),
        "follow_ups": reverse("consultations:follow_ups"),
        "admin_list": reverse("admin:consultations_consultation_changelist"),
        "admin_change": reverse("admin:consultations_consultation_change", args=[consultation.pk]),
        "admin_referral_inline_target": reverse(
            "admin:consultations_consultation_change", args=[referral.consultation_id]
        ),
        "_follow_up": str(follow_up.pk),
    }


ALLOWED = {"staff"}


@pytest.mark.parametrize("role", ROLES)
def test_every_consultation_page_is_open_only_to_staff_with_the_permission(
    role, user_for, client, consultation
):
    """Staff holding the permission get 200 everywhere; staff without it, officials, committee members
    and members get 403 (or the login page, for the admin and for visitors), and nothing personal is
    in the body."""
    user = user_for(role)
    pages = staff_pages(consultation)
    pages.pop("_follow_up")
    if user is not None:
        client.force_login(user)
    for name, url in pages.items():
        response = client.get(url)
        if role in ALLOWED:
            assert response.status_code == 200, (name, response.status_code)
        elif role == "anonymous" or (name.startswith("admin") and not user.is_staff):
            assert response.status_code == 302, (name, response.status_code)
            assert "login" in response["Location"]
        else:
            assert response.status_code == 403, (name, response.status_code)
        if role not in ALLOWED:
            assert consultation.question.encode() not in response.content, name
            assert consultation.person.name.encode() not in response.content, name


@pytest.mark.parametrize("role", ["staff_without_access", "official", "committee", "member"])
def test_writes_are_refused_without_the_permission(role, user_for, client, consultation):
    """POSTs (record, referral, follow-up, result, done) by anyone but permitted staff change nothing."""
    user = user_for(role)
    client.force_login(user)
    referral = ReferralFactory(consultation=consultation)
    follow_up = FollowUpFactory(consultation=consultation)
    posts = [
        reverse("consultations:create"),
        reverse("consultations:update", args=[consultation.pk]),
        reverse("consultations:referral_add", args=[consultation.pk]),
        reverse("consultations:referral_result", args=[referral.pk]),
        reverse("consultations:follow_up_add", args=[consultation.pk]),
        reverse("consultations:follow_up_done", args=[follow_up.pk]),
        reverse("consultations:related_links", args=[consultation.pk]),
    ]
    for url in posts:
        assert client.post(url, {"result": "connected", "question": "x"}).status_code == 403, url
    follow_up.refresh_from_db()
    referral.refresh_from_db()
    assert not follow_up.done
    assert referral.result == "pending"
    assert not ConsultationAccessLog.objects.exists()


def test_staff_without_access_sees_no_consultation_in_the_admin(staff_without_access, rf):
    """The admin's permission checks ask the access rule too, so the module is hidden and every action
    refused, even though the staff role still holds view_consultation and change_consultation."""
    from django.contrib import admin

    from consultations.models import Consultation, ConsultationAccessLog, FollowUp, Referral

    assert staff_without_access.has_perm("consultations.view_consultation")
    request = rf.get("/admin/")
    request.user = staff_without_access
    for model in (Consultation, Referral, FollowUp):
        if model not in admin.site._registry:
            continue
        model_admin = admin.site._registry[model]
        assert not model_admin.has_module_permission(request)
        assert not model_admin.has_view_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_delete_permission(request)
    log_admin = admin.site._registry[ConsultationAccessLog]
    assert not log_admin.has_view_permission(request)
    app_list = admin.site.get_app_list(request)
    assert "consultations" not in [app["app_label"] for app in app_list]


def test_the_admin_index_lists_consultations_only_for_permitted_staff(client, staff_user, request):
    """The admin's menu shows 相談記録 to staff with the permission and hides it from staff without."""
    client.force_login(staff_user)
    assert (
        reverse("admin:consultations_consultation_changelist")
        in client.get(reverse("admin:index")).content.decode()
    )
    client.force_login(request.getfixturevalue("staff_without_access"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:consultations_consultation_changelist") not in response.content.decode()


def test_an_official_given_the_permission_by_mistake_is_still_refused(official_user, client, consultation):
    """The permission alone is not enough: only centre staff may see consultations."""
    official_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="consultations", codename="access_consultation")
    )
    official_user = type(official_user).objects.get(pk=official_user.pk)
    assert official_user.has_perm("consultations.access_consultation")
    assert not user_can_access(official_user)
    client.force_login(official_user)
    assert client.get(reverse("consultations:detail", args=[consultation.pk])).status_code == 403


def test_the_consultation_role_gives_access_back(make_user, handler_role_name, client, consultation):
    """When the staff role loses the permission, staff who are also 相談記録担当 keep access."""
    take_access_from_staff_role()
    handler = make_user(roles=(Role.STAFF, handler_role_name), email="handler@example.jp")
    other = make_user(roles=(Role.STAFF,), email="other-staff@example.jp")
    assert user_can_access(handler)
    assert not user_can_access(other)
    client.force_login(handler)
    assert client.get(reverse("consultations:detail", args=[consultation.pk])).status_code == 200


@pytest.mark.parametrize("role", [*ROLES, "auditor"])
def test_only_auditors_read_the_access_log(role, user_for, request, client):
    """The access log page and its admin: staff with the audit permission only."""
    user = request.getfixturevalue("auditor") if role == "auditor" else user_for(role)
    if user is not None:
        client.force_login(user)
    page = client.get(reverse("consultations:access_log"))
    admin_page = client.get(reverse("admin:consultations_consultationaccesslog_changelist"))
    if role == "auditor":
        assert user_can_audit(user)
        assert page.status_code == 200
        assert admin_page.status_code == 200
    elif role == "anonymous":
        assert page.status_code == 302
    else:
        assert page.status_code == 403
        assert admin_page.status_code in (302, 403)


def test_staff_dashboard_links_only_for_permitted_staff(client, staff_user, request):
    """The staff dashboard lists the consultation pages for permitted staff and hides them from the others."""
    client.force_login(staff_user)
    body = client.get(reverse("core:staff_dashboard")).content.decode()
    assert reverse("consultations:follow_ups") in body
    assert reverse("consultations:create") in body
    client.force_login(request.getfixturevalue("staff_without_access"))
    body = client.get(reverse("core:staff_dashboard")).content.decode()
    assert reverse("consultations:index") not in body
