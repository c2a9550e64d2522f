from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("マッチング")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    role_permissions: dict[str, list[str]] = {}
