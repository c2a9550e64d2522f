from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("事業・催し")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: model_permissions(
            "events",
            program="view add change",
            event="view add change delete",
            eventsession="view add change delete",
            registration="view change",
            attendance="view",
            surveyresponse="view",
        ),
    }

    def ready(self) -> None:
        from core.pagecache import invalidate_on_change

        # The cached public pages that show events: the home page, the calendar, an event's page
        # with its seats left (core/pagecache.py).
        invalidate_on_change("events", *self.get_models())
