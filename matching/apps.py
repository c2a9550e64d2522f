from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("マッチング")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: model_permissions(
            "matching",
            business="view add change",
            need="view add change delete",
            offer="view add change delete",
            match="view add change",
            matchstatuschange="view add change",
        ),
    }

    def ready(self) -> None:
        from core.pagecache import invalidate_on_change

        # The cached needs and offers lists and the directory's filter by open need
        # (core/pagecache.py).
        invalidate_on_change("matching", *self.get_models())
