"""The Django admin as a staff tool of the portal: the center's name and colours, Japanese
headings, and the technical models (celery beat schedules, login sessions, MFA authenticators,
e-mail address records, demo data) left to superusers.

Installed in place of django.contrib.admin (settings.INSTALLED_APPS: KyodoAdminConfig), so
`admin.site` everywhere is a KyodoAdminSite. A technical model stays registered: a superuser
still reaches it (under a Japanese heading), other staff neither see nor open it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

# app_label.model_name of what only superusers see (and its Japanese name on the admin index).
TECHNICAL_MODELS = {
    "django_celery_beat.periodictask": _("定期実行するタスク"),
    "django_celery_beat.intervalschedule": _("間隔の予定"),
    "django_celery_beat.crontabschedule": _("曜日・時刻の予定（crontab）"),
    "django_celery_beat.solarschedule": _("日の出・日の入りの予定"),
    "django_celery_beat.clockedschedule": _("日時指定の予定"),
    "usersessions.usersession": _("ログイン中の端末"),
    "mfa.authenticator": _("二段階認証の登録"),
    "account.emailaddress": _("メールアドレスの確認状況"),
    "core.demodataset": _("デモデータの記録"),
}
# Japanese headings for the third-party apps a superuser sees.
TECHNICAL_APPS = {
    "django_celery_beat": _("定期実行（技術者向け）"),
    "usersessions": _("ログインセッション（技術者向け）"),
    "mfa": _("二段階認証（技術者向け）"),
    "account": _("アカウントのメール（技術者向け）"),
}


def is_technical(model) -> bool:
    return f"{model._meta.app_label}.{model._meta.model_name}" in TECHNICAL_MODELS


class KyodoAdminSite(admin.AdminSite):
    site_title = _("協働ポータル 管理")
    index_title = _("管理メニュー")
    # The app list beside every page took a quarter of a 1280 px screen from the tables.
    enable_nav_sidebar = False

    @property
    def site_header(self):
        return _("%(center)s 管理画面") % {"center": settings.CENTER_NAME}

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        superuser = request.user.is_active and request.user.is_superuser
        shown = []
        for app in app_list:
            models = []
            for model in app["models"]:
                key = f"{app['app_label']}.{model['object_name'].lower()}"
                if key in TECHNICAL_MODELS:
                    if not superuser:
                        continue
                    model = {**model, "name": TECHNICAL_MODELS[key]}
                models.append(model)
            if not models:
                continue
            name = TECHNICAL_APPS.get(app["app_label"], app["name"])
            shown.append({**app, "name": name, "models": models})
        return shown

    def register(self, model_or_iterable, admin_class=None, **options):
        """A technical model's admin answers only superusers (list, change and add alike)."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models:
            cls = admin_class or admin.ModelAdmin
            if is_technical(model):
                cls = type(f"SuperuserOnly{cls.__name__}", (SuperuserOnlyMixin, cls), {})
            super().register(model, cls, **options)


class SuperuserOnlyMixin:
    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


class KyodoAdminConfig(AdminConfig):
    default_site = "core.admin_site.KyodoAdminSite"
