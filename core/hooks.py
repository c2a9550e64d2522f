"""core's contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from core.app_hooks import DashboardItem, Link, Urgency, hook, menu_links


def _failed_mail_count() -> int:
    from core.models import OutboxMessage

    return OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()


@hook("staff_links")
def staff_links(request) -> list[Link]:
    rows = [
        (
            "core:outbox_list",
            gettext("送信メール"),
            gettext("ポータルが送ったメールとその状態。送信に失敗したものは、ここから再送信できます。"),
        ),
        (
            "core:mfa_staff_list",
            gettext("二段階認証の設定状況"),
            gettext(
                "役割のあるアカウントの二段階認証の設定状況。本人確認のうえ、1回だけ使える設定用リンクを送れます。"
            ),
        ),
        ("admin:core_theme_changelist", gettext("テーマ・地区・担当課"), gettext("参照データの編集")),
    ]
    return menu_links("settings", rows, counts={"core:outbox_list": _failed_mail_count() or None})


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    from core.models import OutboxMessage

    failed_mail = f"{reverse('core:outbox_list')}?status={OutboxMessage.Status.FAILED}"
    return [DashboardItem(gettext("送信に失敗したメール"), failed_mail, _failed_mail_count(), Urgency.URGENT)]
