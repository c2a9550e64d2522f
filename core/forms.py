"""必須/任意 from the rule the form validates with.

A form states its conditional requirements once, declaratively; `clean()` applies them and the
field template (templates/django/forms/field.html, through the `requirement` filter) shows the
same rule next to the label:

    class GroupForm(RequirementsMixin, forms.ModelForm):
        requirements = (
            RequiredWhen("corporate_number", when=lambda data: data.get("legal_form") in CORPORATE,
                         mark=_("法人の場合は必須"), message=_("法人の場合は法人番号を入力してください。")),
            OneOfRequired(("email", "phone"), mark=_("メールアドレスか電話番号のどちらかは必須"),
                          message=_("メールアドレスか電話番号を入力してください。")),
        )

A draft (下書き保存) relaxes what is required with `relax_for_draft(keep=...)`: the marks keep
saying what submitting needs, so they do not change after a failed draft save.
Search and filter forms show no marks (every condition there is optional by nature): a form
with `requirement_marks = False`; the search component (core.filters.search_summary) sets it on
the filter forms it draws.

A required field left empty says what to do and names the field (「お名前を入力してください。」)
in every form of the portal: the form renderer (PortalFormRenderer, settings.FORM_RENDERER) binds
every field with NamedRequiredBoundField. A message a form gives for `required` itself is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Mark:
    """What the label says: kind is "required", "optional" or "conditional" (a CSS class too)."""

    kind: str
    text: str | Promise


REQUIRED = Mark("required", _("必須"))
OPTIONAL = Mark("optional", _("任意"))
SUBMIT_MARK = _("提出時は必須")


@dataclass(frozen=True)
class RequiredWhen:
    """`field` is required when `when(cleaned_data)` is true (法人番号: for a corporation)."""

    field: str
    when: Callable[[dict], bool]
    mark: str | Promise
    message: str | Promise

    def fields(self) -> tuple[str, ...]:
        return (self.field,)

    def check(self, form: forms.BaseForm, cleaned: dict) -> None:
        if self.field in form.errors or cleaned.get(self.field) not in (None, "", [], ()):
            return
        if self.when(cleaned):
            form.add_error(self.field, self.message)


@dataclass(frozen=True)
class OneOfRequired:
    """At least one of `names` must be filled in (メールアドレスか電話番号). The error goes to the
    first field."""

    names: tuple[str, ...]
    mark: str | Promise
    message: str | Promise

    def fields(self) -> tuple[str, ...]:
        return self.names

    def check(self, form: forms.BaseForm, cleaned: dict) -> None:
        if any(name in form.errors for name in self.names):
            return
        if all(cleaned.get(name) in (None, "", [], ()) for name in self.names):
            form.add_error(self.names[0], self.message)


@dataclass(frozen=True)
class RequiredToSubmit:
    """`names` may be left empty in a saved draft but are needed to submit (提案の6W2H): the form
    checks nothing, the submitting service refuses while they are empty."""

    names: tuple[str, ...]
    mark: str | Promise = SUBMIT_MARK

    def fields(self) -> tuple[str, ...]:
        return self.names

    def check(self, form: forms.BaseForm, cleaned: dict) -> None:
        return None


class RequirementsMixin:
    """Declared conditional requirements, checked by clean() and shown by the field template."""

    requirements: tuple[RequiredWhen | OneOfRequired | RequiredToSubmit, ...] = ()
    #: False while saving a draft: the conditional rules are not applied then.
    check_requirements: bool = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._submit_required = {name for name, field in self.fields.items() if field.required}

    def remember_required(self) -> None:
        """Take the fields a form added in its own __init__ into what submitting needs."""
        self._submit_required = {name for name, field in self.fields.items() if field.required}

    def relax_for_draft(self, *, keep: Iterable[str] = ()) -> None:
        """A draft may leave out everything but `keep`; the marks still say what submitting needs."""
        keep = set(keep)
        for name, field in self.fields.items():
            if name not in keep:
                field.required = False
        self.check_requirements = False

    def clean(self):
        cleaned = super().clean()
        if self.check_requirements:
            for rule in self.requirements:
                rule.check(self, cleaned)
        return cleaned

    def requirement_mark(self, name: str) -> Mark:
        for rule in self.requirements:
            if name in rule.fields():
                return Mark("conditional", rule.mark)
        return REQUIRED if name in self._submit_required else OPTIONAL


def requirement_mark(bound_field) -> Mark | None:
    """The mark for a bound field, or None on search and filter forms (no marks there)."""
    form = bound_field.form
    if getattr(form, "requirement_marks", True) is False:
        return None
    if isinstance(form, RequirementsMixin):
        return form.requirement_mark(bound_field.name)
    return REQUIRED if bound_field.field.required else OPTIONAL


# --- 「お名前を入力してください。」 rather than 「この項目は必須です。」 on every field ---------------------

DJANGO_REQUIRED = forms.Field.default_error_messages["required"]
# A label of words only is named as it is; one with brackets, colons or a question goes in 「」.
_PLAIN_LABEL = re.compile(r"[\w々ー・]+")


def required_message(field: forms.Field, label) -> str:
    """What a required field left empty says: what to do (入力・選択・チェック), naming the field."""
    label = str(label)
    named = label if _PLAIN_LABEL.fullmatch(label) else f"「{label}」"
    if isinstance(field, forms.BooleanField):
        return _("「%(label)s」にチェックを入れてください。") % {"label": label}
    if isinstance(field, forms.ChoiceField | forms.FileField):  # also the model choices
        return _("%(label)sを選んでください。") % {"label": named}
    return _("%(label)sを入力してください。") % {"label": named}


class NamedRequiredBoundField(BoundField):
    """The BoundField of every form (PortalFormRenderer). A form validates its fields through
    their bound fields, each made from the form's own copy of the field: giving that copy the
    message here reaches every form, the admin's, allauth's and the filters' included."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        if field.error_messages.get("required") is DJANGO_REQUIRED and self.label:
            field.error_messages["required"] = required_message(field, self.label)


class PortalFormRenderer(TemplatesSetting):
    """Widgets render through the template engine, so templates/django/forms can restyle them;
    every field is bound with NamedRequiredBoundField."""

    bound_field_class = NamedRequiredBoundField
