from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions


class InfoConfig(AppConfig):
    name = "info"
    verbose_name = _("情報集約・発信")
    default_auto_field = "django.db.models.BigAutoField"
    # Model permissions for the admin; who may post or edit which grant is in info/rules.py.
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: model_permissions("info", grant="view add change delete", savedsearch="view"),
    }

    def ready(self) -> None:
        from core.pagecache import invalidate_on_change

        # The cached public pages that show grants and flyers (core/pagecache.py). A person's saved
        # searches and what their digests named are on no public page: deleting them (thousands at
        # a time when people leave) must not bump the cache once per row.
        private = {"SavedSearch", "AlertDelivery"}
        invalidate_on_change("info", *(model for model in self.get_models() if model.__name__ not in private))
