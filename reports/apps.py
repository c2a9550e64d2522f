from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("成果報告")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    # Committee members only read (download) reports; staff record outcomes and ask for reports.
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: [
            "reports.view_outcomerecord",
            "reports.add_outcomerecord",
            "reports.change_outcomerecord",
            "reports.delete_outcomerecord",
            "reports.view_report",
            "reports.add_report",
        ],
        Role.COMMITTEE: ["reports.view_report"],
    }
