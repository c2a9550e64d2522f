"""Forms of the projects app: what their fields offer."""

from __future__ import annotations

import inspect

import pytest
from django import forms as django_forms

from projects import forms

pytestmark = pytest.mark.django_db


def _project_forms() -> list:
    return [
        pytest.param(form_class, id=name)
        for name, form_class in inspect.getmembers(forms, inspect.isclass)
        if issubclass(form_class, django_forms.BaseForm) and form_class.__module__ == forms.__name__
    ]


@pytest.mark.parametrize("form_class", _project_forms())
def test_no_select_of_projects_shows_djangos_raw_placeholder(form_class, call):
    """Every select says in Japanese what its empty choice means (「（選ばない）」 and the like),
    never Django's raw 「---------」."""
    parameters = inspect.signature(form_class.__init__).parameters
    kwargs = {name: value for name, value in (("call", call), ("criteria", [])) if name in parameters}
    form = form_class(**kwargs)
    raw = [
        name
        for name, field in form.fields.items()
        if isinstance(field.widget, django_forms.Select)
        and any(str(label).startswith("---") for _value, label in field.widget.choices)
    ]
    assert raw == []
