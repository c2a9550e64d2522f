from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基本設定")
    role_permissions = {
        Role.STAFF: model_permissions(
            "core",
            theme="view add change",
            area="view add change",
            department="view add change",
            person="view add change",
            outboxmessage="view",
            searchsynonym="view add change delete",
        ),
        Role.OFFICIAL: model_permissions("core", theme="view", area="view", department="view"),
    }

    def ready(self) -> None:
        from django.conf import settings

        from core import checks, roles, signals  # noqa: F401
        from core.validators import install_field_validators

        install_field_validators(settings.PROJECT_APPS)

        from core.models import Area, Department, SearchSynonym, Theme
        from core.pagecache import invalidate_on_change

        # Theme, area and department names on the cached public pages, and the synonyms that
        # widen a keyword search (core/pagecache.py).
        invalidate_on_change("core", Theme, Area, Department, SearchSynonym)

        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="core.sync_role_permissions")
        post_migrate.connect(ensure_apps_reference_data, sender=self, dispatch_uid="core.reference_data")


def ensure_apps_reference_data(**kwargs) -> None:
    """post_migrate (also sent by a flush): each app's hooks.ensure_reference_data()."""
    from core.app_hooks import collect

    for _app, ensure in collect("ensure_reference_data"):
        ensure()
