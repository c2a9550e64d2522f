from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions


class SpacesConfig(AppConfig):
    name = "spaces"
    verbose_name = _("活動の場の提供")
    # Permissions each role holds for this app (granted after migrate; see core.roles).
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: model_permissions(
            "spaces",
            resource="view add change delete",
            closure="view add change delete",
            allotment="view add change delete",
            booking="view add change delete",
            machineuse="view add change delete",
        ),
    }

    def ready(self) -> None:
        # A session of a center event blocks its room: the link is made from this side so that
        # events never imports spaces (see spaces.signals).
        from core.pagecache import invalidate_on_change
        from spaces import signals  # noqa: F401

        # The cached rooms list and week views (core/pagecache.py). A booking's history rows are
        # on no page: written with every booking, they would bump the version a second time.
        from spaces.models import Booking, Resource
        from spaces.selectors import RESOURCES_SCOPE

        history = Booking.history.model
        invalidate_on_change("spaces", *(model for model in self.get_models() if model is not history))
        invalidate_on_change(RESOURCES_SCOPE, Resource)
