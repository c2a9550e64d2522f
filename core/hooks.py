"""core's contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.app_hooks import DashboardItem, MenuEntry, StaffMenu, Urgency, hook, register
from core.models import OutboxMessage

# Declared once; counted through a fresh copy (.all()), so it never keeps rows.
FAILED_MAIL = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)

staff_links = StaffMenu(
    "settings",
    [
        MenuEntry(
            "core:outbox_list",
            _("送信メール"),
            _("ポータルが送ったメールとその状態。送信に失敗したものは、ここから再送信できます。"),
            count=lambda: FAILED_MAIL.all().count() or None,  # a count only when something failed
        ),
        MenuEntry(
            "core:mfa_staff_list",
            _("二段階認証の設定状況"),
            _(
                "役割のあるアカウントの二段階認証の設定状況。本人確認のうえ、1回だけ使える設定用リンクを送れます。"
            ),
        ),
        MenuEntry("admin:core_theme_changelist", _("テーマ・地区・担当課"), _("参照データの編集")),
    ],
)
register("staff_links", staff_links, module=__name__)


@hook("dashboard_items")
def dashboard_items(request) -> list[DashboardItem]:
    failed_mail = f"{reverse('core:outbox_list')}?status={OutboxMessage.Status.FAILED}"
    return [
        DashboardItem(gettext("送信に失敗したメール"), failed_mail, FAILED_MAIL.all().count(), Urgency.URGENT)
    ]
