"""Our select.html writes options inline for speed; it must render exactly what Django's does."""

import re

from django import forms
from django.forms.renderers import DjangoTemplates


class ChoiceForm(forms.Form):
    plain = forms.ChoiceField(choices=[("", "すべて"), *[(str(i), f"課<{i}>&") for i in range(30)]])
    several = forms.MultipleChoiceField(choices=[(str(i), f"分野{i}") for i in range(5)])
    grouped = forms.ChoiceField(choices=[("市", [("1", "子ども家庭支援課"), ("2", "都市計画課")])])
    disabled = forms.ChoiceField(choices=[("a", "A")], disabled=True, required=False)


def test_select_renders_as_djangos_own():
    data = {"plain": "7", "several": ["1", "3"], "grouped": "2"}
    ours = ChoiceForm(data)
    djangos = ChoiceForm(data, renderer=DjangoTemplates())

    def squeeze(html: str) -> str:
        return re.sub(r"\s+", " ", html)

    for name in ChoiceForm.base_fields:
        assert squeeze(str(ours[name])) == squeeze(str(djangos[name])), name
    assert 'value="7" selected' in str(ours["plain"]) and "課&lt;7&gt;&amp;" in str(ours["plain"])
