"""Small field builders the apps' forms share, so a kind of field is declared the same way everywhere."""

from __future__ import annotations

from django import forms


def text_area(label, *, rows: int, **kwargs) -> forms.CharField:
    """A free text of `rows` lines (相談内容, メモ, 理由); other arguments as forms.CharField takes them."""
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)
