from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions

# Role groups of this app (created and kept in sync after every migrate by core.roles).
CONSULTATION_HANDLER_ROLE = "相談記録担当"  # data, not UI text
CONSULTATION_AUDITOR_ROLE = "相談記録監査"  # data, not UI text

ACCESS_PERMISSION = "consultations.access_consultation"
AUDIT_PERMISSION = "consultations.view_accesslog"

_HANDLER_PERMISSIONS = [
    ACCESS_PERMISSION,
    *model_permissions(
        "consultations",
        consultation="view add change",
        referral="view add change",
        followup="view add change",
        topic="view",
    ),
]


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("相談記録")
    # Centre staff may see and record consultations by default. The model permissions alone
    # open nothing: every page, the admin and the exports also ask for ACCESS_PERMISSION, so
    # taking that one permission away from the role (or moving it to 相談記録担当 only) closes
    # everything. The access log is for the auditors' role.
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: _HANDLER_PERMISSIONS,
        CONSULTATION_HANDLER_ROLE: _HANDLER_PERMISSIONS,
        CONSULTATION_AUDITOR_ROLE: [AUDIT_PERMISSION],
    }

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group as RoleGroup

        from consultations.models import Consultation, Referral, Topic
        from core.models import Person
        from core.pagecache import invalidate_on_change

        # The statistics page's counts are kept per version of these (selectors.statistics_figures).
        # Not the access log: every page that shows consultations writes a line to it.
        invalidate_on_change("consultations", Consultation, Referral, Topic)
        # The list's filter form offers the staff (filters.staff_users: accounts and their roles).
        invalidate_on_change("consultations.staff", get_user_model(), RoleGroup)
        # The list's rows name the people who asked (the groups' names: the "groups" scope).
        invalidate_on_change("consultations.parties", Person)
