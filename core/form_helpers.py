"""Small field builders the apps' forms share, so a kind of field is declared the same way everywhere."""

from __future__ import annotations

from django import forms

from core.validators import TEXT_MAX_LENGTH, text_max_length


def text_area(label, *, rows: int, **kwargs) -> forms.CharField:
    """A free text of `rows` lines (相談内容, メモ, 理由); other arguments as forms.CharField takes them.
    Bounded like every multi-line model field (core.validators.TEXT_MAX_LENGTH) unless given its
    own max_length: a pasted megabyte is refused next to the field, never stored."""
    field = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)
    if field.max_length is None:
        field.validators.append(text_max_length)
        field.widget.attrs.setdefault("maxlength", str(TEXT_MAX_LENGTH))
    return field
