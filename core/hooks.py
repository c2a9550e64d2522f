"""core's contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from django.urls import reverse

from core.app_hooks import Link, hook


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
