from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("事業・催し")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: [
            "events.view_program",
            "events.add_program",
            "events.change_program",
            "events.view_event",
            "events.add_event",
            "events.change_event",
            "events.delete_event",
            "events.view_eventsession",
            "events.add_eventsession",
            "events.change_eventsession",
            "events.delete_eventsession",
            "events.view_registration",
            "events.change_registration",
            "events.view_attendance",
            "events.view_surveyresponse",
        ],
    }

    def ready(self) -> None:
        from core.pagecache import invalidate_on_change

        # The cached public pages that show events: the home page, the calendar, an event's page
        # with its seats left (core/pagecache.py).
        invalidate_on_change("events", *self.get_models())
