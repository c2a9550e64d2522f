from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("団体")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    # Object-level rules (who may edit which group) are in groups/rules.py.
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: [
            "groups.view_group",
            "groups.change_group",
            "groups.add_group",
            "groups.view_groupmembership",
            "groups.add_groupmembership",
            "groups.change_groupmembership",
            "groups.delete_groupmembership",
            "groups.view_groupinvitation",
            "groups.change_groupinvitation",
            "groups.view_grouprenewal",
            "groups.view_renewalreminder",
            "groups.view_registrationcounter",
        ],
    }
