from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("マッチング")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: [
            f"matching.{verb}_{model}"
            for model in ("business", "need", "offer", "match", "matchstatuschange")
            for verb in ("view", "add", "change")
        ]
        + ["matching.delete_need", "matching.delete_offer"],
    }

    def ready(self) -> None:
        from core.pagecache import invalidate_on_change

        # The cached needs and offers lists and the directory's filter by open need
        # (core/pagecache.py).
        invalidate_on_change("matching", *self.get_models())
