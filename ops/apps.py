from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: bench, soak, backup and the demo data. It may import every app; no app imports it."""

    name = "ops"
    verbose_name = _("運用")
