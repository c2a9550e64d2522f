"""core's contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

import random

from django.urls import reverse

from core import demo
from core.app_hooks import Link, hook
from core.models import Area, Department, Theme, User
from core.roles import Role
from core.services import official_assign, user_create

DEMO_STAFF_EMAIL = "staff@example.jp"


@hook("seed_demo")
def seed_demo(*, scale: int, rng: random.Random, out) -> None:
    for order, (name, kana) in enumerate(demo.AREAS, start=1):
        Area.objects.get_or_create(name=name, defaults={"name_kana": kana, "order": order})
    themes_by_short = {theme.short_name: theme for theme in Theme.objects.all()}
    for name, kana, division, kind in demo.DEPARTMENTS:
        department, _created = Department.objects.get_or_create(
            name=name,
            defaults={"name_kana": kana, "division": division, "kind": kind, "email": "city@example.jp"},
        )
        department.themes.set([themes_by_short[s] for s in demo.DEPARTMENT_THEMES.get(name, [])])
    # One account per role, all with the demo password.
    accounts = [
        (DEMO_STAFF_EMAIL, "協働 花子", "きょうどう はなこ", (Role.STAFF,), True),
        ("staff2@example.jp", "支援 太郎", "しえん たろう", (Role.STAFF,), False),
        ("official@example.jp", "市役 一郎", "しやく いちろう", (Role.OFFICIAL,), False),
        ("committee@example.jp", "評価 京子", "ひょうか きょうこ", (Role.COMMITTEE,), False),
        ("member@example.jp", "市民 さくら", "しみん さくら", (), False),
        ("business@example.jp", "企業 健", "きぎょう けん", (), False),
    ]
    for email, name, kana, roles, superuser in accounts:
        if not User.objects.filter(email=email).exists():
            user_create(
                email=email,
                password=demo.DEMO_PASSWORD,
                full_name=name,
                full_name_kana=kana,
                roles=roles,
                is_superuser=superuser,
            )
    official_assign(
        user=User.objects.get(email="official@example.jp"),
        department=Department.objects.get(name="子ども家庭支援課"),
    )
    areas, departments = Area.objects.count(), Department.objects.count()
    out.write(f"  core: {areas} 地区, {departments} 担当課, {len(accounts)} アカウント")


@hook("staff_links")
def staff_links(request) -> list[Link]:
    from core.models import OutboxMessage

    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
    return [
        Link(
            title="送信メール",
            url=reverse("core:outbox_list"),
            description="ポータルが送ったメールとその状態。送信に失敗したものは、ここから再送信できます。",
            count=failed or None,
        ),
        Link(
            title="テーマ・地区・担当課",
            url=reverse("admin:core_theme_changelist"),
            description="参照データの編集",
        ),
    ]


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict[str, str]:
    return {"home": "/"}
