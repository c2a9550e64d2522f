"""core's contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from core.app_hooks import DashboardItem, Link, Urgency, hook


@hook("staff_links")
def staff_links(request) -> list[Link]:
    from core.models import OutboxMessage

    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
    return [
        Link(
            title=gettext("送信メール"),
            url=reverse("core:outbox_list"),
            description=gettext(
                "ポータルが送ったメールとその状態。送信に失敗したものは、ここから再送信できます。"
            ),
            count=failed or None,
            section="settings",
        ),
        Link(
            title=gettext("二段階認証の設定状況"),
            url=reverse("core:mfa_staff_list"),
            description=gettext(
                "役割のあるアカウントの二段階認証の設定状況。本人確認のうえ、1回だけ使える設定用リンクを送れます。"
            ),
        ),
        Link(
            title=gettext("テーマ・地区・担当課"),
            url=reverse("admin:core_theme_changelist"),
            description=gettext("参照データの編集"),
            section="settings",
        ),
    ]


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    from core.models import OutboxMessage

    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
    return [
        DashboardItem(
            title=gettext("送信に失敗したメール"),
            url=f"{reverse('core:outbox_list')}?status={OutboxMessage.Status.FAILED}",
            count=failed,
            urgency=Urgency.URGENT,
        )
    ]
