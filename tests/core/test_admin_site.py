"""The admin as one of the portal's tools: the center's header and colours, Japanese headings,
technical models left to superusers, lists that fit, and workflow fields only through services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from core.admin_site import TECHNICAL_MODELS, KyodoAdminSite

pytestmark = pytest.mark.django_db

ENGLISH_HEADINGS = [
    "Periodic Tasks",
    "PERIODIC TASKS",
    "Clocked",
    "Crontabs",
    "Solar events",
    "User sessions",
    "Authenticators",
]


@pytest.fixture
def superuser(make_user):
    from core.roles import Role

    return make_user(roles=(Role.STAFF,), email="super@example.jp", is_superuser=True)


def test_the_admin_is_the_portals_site():
    assert isinstance(admin.site, KyodoAdminSite)


def test_admin_header_carries_the_center_name_and_the_portals_style(client_for, staff_user, settings):
    page = client_for(staff_user).get(reverse("admin:index")).content.decode()
    assert settings.CENTER_NAME in page and "管理画面" in page
    assert "css/admin.css" in page and "design-tokens/tokens.css" in page
    assert reverse("core:staff_today") in page, "back to the staff pages from the admin"
    assert 'id="nav-sidebar"' not in page


def test_superusers_see_technical_models_under_japanese_names(client_for, superuser):
    page = client_for(superuser).get(reverse("admin:index")).content.decode()
    for english in ENGLISH_HEADINGS:
        assert english not in page
    assert "定期実行（技術者向け）" in page and "定期実行するタスク" in page
    assert "デモデータの記録" in page


def test_staff_who_are_not_superusers_neither_see_nor_open_technical_models(client_for, staff_user):
    client = client_for(staff_user)
    page = client.get(reverse("admin:index")).content.decode()
    for name in TECHNICAL_MODELS.values():
        assert str(name) not in page
    assert "定期実行" not in page and "デモデータ" not in page
    for key in TECHNICAL_MODELS:
        app_label, model_name = key.split(".")
        response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
        assert response.status_code == 403, key


def test_group_list_keeps_room_for_the_name():
    from groups.models import Group

    list_display = admin.site._registry[Group].list_display
    assert list_display[0] == "name" and len(list_display) <= 5


def test_business_status_changes_only_through_the_service(
    client_for, superuser, django_capture_on_commit_callbacks
):
    from matching.models import Business, BusinessStatus
    from tests.matching.factories import BusinessFactory

    model_admin = admin.site._registry[Business]
    assert {"status", "status_reason", "approved_at"} <= set(model_admin.readonly_fields)
    pending = BusinessFactory(pending=True, name="みらい印刷")
    approved = BusinessFactory(name="すでに承認済み商事")
    client = client_for(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:matching_business_changelist"),
            {"action": "approve", "_selected_action": [pending.pk, approved.pk]},
            follow=True,
        )
    assert "1件を承認しました。" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == BusinessStatus.APPROVED and pending.approved_at
    from core.models import OutboxMessage

    # Only the business that was waiting is told (no second approval mail to the approved one).
    assert OutboxMessage.objects.filter(kind="matching.business_approved").count() == 1


@pytest.mark.parametrize(
    ("full_name", "shown"), [("職員 花子", "職員 花子"), ("", "（氏名未登録）")], ids=["named", "unnamed"]
)
def test_an_objects_history_names_who_acted_and_gives_the_address_its_own_column(
    client_for, superuser, make_user, full_name, shown
):
    """Django's history shows get_username() — the e-mail address — where the person's name goes."""
    import re

    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from core.models import Theme

    theme = Theme.objects.create(name="まちづくり")
    actor = make_user(email="actor@example.jp", full_name=full_name)
    LogEntry.objects.create(
        user=actor,
        content_type=ContentType.objects.get_for_model(Theme),
        object_id=str(theme.pk),
        object_repr=str(theme),
        action_flag=CHANGE,
        change_message="",
    )
    page = client_for(superuser).get(reverse("admin:core_theme_history", args=[theme.pk])).content.decode()
    header = re.findall(r'<th scope="col">(.*?)</th>', page)
    cells = re.findall(r"<td>(.*?)</td>", re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1), re.S)
    assert header[1:3] == ["氏名", "メールアドレス"]
    assert [cell.strip() for cell in cells[:2]] == [shown, "actor@example.jp"]


def test_the_admin_says_bounds_duplicates_and_unknown_choices_in_the_sites_words(client_for, staff_user):
    """Django's own Japanese read 「この値は 0 以上でなければなりません。」, 「この 名称 を持った テーマ が
    既に存在します。」 and 「“<whatever was posted>” は無効な値です。」."""
    from core.models import Department, Theme

    theme = Theme.objects.create(name="西ヶ丘の子育て", order=1)
    department = Department.objects.create(name="市民協働課")
    client = client_for(staff_user)
    duplicate = client.post(
        reverse("admin:core_theme_add"), {"name": theme.name, "order": "-1", "is_active": "on"}
    )
    errors = duplicate.context["adminform"].form.errors
    assert errors["name"] == ["同じ名称のテーマがすでに登録されています。"]
    assert errors["order"] == ["0以上の数で入力してください。"]
    changed = client.post(
        reverse("admin:core_department_change", args=[department.pk]),
        {"name": department.name, "kind": department.kind, "themes": ["x" * 300], "is_active": "on"},
    )
    assert changed.context["adminform"].form.errors["themes"] == [
        "選べないものが含まれています。選び直してください。"
    ]


def test_a_priority_theme_s_fiscal_year_is_a_real_one(client_for, staff_user):
    """重点テーマの年度 took 99999 (a slip of the finger) where every other 年度 is 1989〜2100."""
    client = client_for(staff_user)
    response = client.post(
        reverse("admin:core_theme_add"),
        {"name": "防災", "order": "1", "priority_fiscal_year": "99999", "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["priority_fiscal_year"] == [
        "年度は1989〜2100の西暦の年で入力してください（例: 2026）。"
    ]
    assert response.context["adminform"].form["priority_fiscal_year"].value() == "99999"
