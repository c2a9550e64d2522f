from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role, model_permissions

_MODELS = [
    "proposalcall",
    "reviewstage",
    "criterion",
    "proposal",
    "budgetline",
    "partner",
    "attachment",
    "review",
    "score",
    "decision",
    "project",
    "statuschange",
    "agreement",
    "progressreport",
    "staffnote",
    "midtermreview",
    "mutualevaluation",
    "resultspresentation",
    "supportlog",
]


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("協働事業")
    # Model permissions for the admin. Object access on the site is decided by projects/rules.py.
    role_permissions: dict[str, list[str]] = {
        Role.STAFF: model_permissions("projects", **dict.fromkeys(_MODELS, "view change add")),
        # 審査委員 use no admin: what they read and score is decided per call by projects/rules.py.
        Role.REVIEWER: [],
    }

    def ready(self) -> None:
        from core.pagecache import invalidate_on_change

        # The cached public list and pages of projects (core/pagecache.py).
        invalidate_on_change("projects", *self.get_models())
