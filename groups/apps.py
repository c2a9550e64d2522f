from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("団体")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    # Object-level rules (who may edit which group) are in groups/rules.py.
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: model_permissions(
            "groups",
            group="view change add",
            groupmembership="view add change delete",
            groupinvitation="view change",
            grouprenewal="view",
            renewalreminder="view",
            registrationcounter="view",
        ),
    }

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core.models import Area, Theme
        from groups.filters import clear_choices_cache

        for model in (Theme, Area):
            post_save.connect(
                clear_choices_cache, sender=model, dispatch_uid=f"groups-choices-{model.__name__}-save"
            )
            post_delete.connect(
                clear_choices_cache, sender=model, dispatch_uid=f"groups-choices-{model.__name__}-delete"
            )
        from django.db.models.signals import m2m_changed

        from groups.models import Group
        from groups.views import clear_open_data_cache

        for model in (Group, Theme, Area):
            for signal in (post_save, post_delete):
                signal.connect(
                    clear_open_data_cache,
                    sender=model,
                    dispatch_uid=f"groups-opendata-{model.__name__}-{id(signal)}",
                )
        from core.pagecache import invalidate_on_change

        # The cached pages that show groups: home, the directory, projects (core/pagecache.py).
        invalidate_on_change("groups", *self.get_models())
        for through in (Group.themes.through, Group.areas.through):
            m2m_changed.connect(
                clear_open_data_cache, sender=through, dispatch_uid=f"groups-opendata-{through.__name__}"
            )
