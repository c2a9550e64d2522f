"""No text written by people (help texts from staff-written criteria included) is rendered as HTML,
and links people click are http(s) only."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from tests.groups.factories import GroupFactory


class CriterionForm(forms.Form):
    score = forms.IntegerField(
        label="公益性", help_text='<a href="https://evil.example/">詳しくはこちら</a><script>x</script>'
    )


def test_help_text_is_escaped_in_the_field_template():
    """Reviewer criteria put staff-written descriptions into help_text: they are text, not markup."""
    html = CriterionForm()["score"].as_field_group()
    assert "<a href" not in html and "<script>" not in html
    assert "&lt;a href=" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("sns", "https://example.jp/\njavascript:alert(1)"), ("website", "ftp://example.jp/")],
    ids=["sns with a javascript url", "website over ftp"],
)
def test_group_links_refuse_anything_but_http_at_the_model_level(field, value):
    group = GroupFactory.build(**{field: value})
    with pytest.raises(ValidationError) as caught:
        group.full_clean(exclude=["registration_number"])
    assert field in caught.value.message_dict


def test_stored_sns_lines_show_only_http_links():
    group = GroupFactory.build(sns="https://example.jp/\njavascript:alert(1)\nftp://example.jp/")
    assert group.sns_links() == ["https://example.jp/"]
