from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("成果報告")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    # Committee members only read (download) reports; staff record outcomes and ask for reports.
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: model_permissions("reports", outcomerecord="view add change delete", report="view add"),
        Role.COMMITTEE: model_permissions("reports", report="view"),
    }
