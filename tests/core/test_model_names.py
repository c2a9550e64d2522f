"""Every model of the portal is named in Japanese, in the admin's lists too: no English plural."""

from django.apps import apps
from django.conf import settings


def test_no_model_has_an_english_plural():
    # The history tables of many-to-many fields are made by django-simple-history and named by it;
    # no page lists them.
    models = [
        model
        for label in settings.PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]
    assert len(models) > 50
    english = [
        model._meta.label
        for model in models
        if str(model._meta.verbose_name_plural) == f"{model._meta.verbose_name}s"
    ]
    assert english == [], "Meta should inherit core.models.JapaneseNames"
