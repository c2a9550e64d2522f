"""Possible duplicates of an application: the same name however it is spelled."""

import pytest

from groups.models import LegalForm
from groups.selectors import possible_duplicates
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "ＮＰＯ法人　川辺三丁目こども食堂",
        "特定非営利活動法人 川辺三丁目子供食堂",
        "川辺三丁目 子ども食堂",
        "川辺三丁目コドモ食堂",
    ],
)
def test_an_application_is_found_like_the_registered_group_in_any_spelling(name):
    """法人格, spaces, widths and the search synonyms (子ども/こども/子供) do not hide a group
    already registered."""
    registered = GroupFactory(name="特定非営利活動法人川辺三丁目子ども食堂", legal_form=LegalForm.NPO)
    GroupFactory(name="川辺四丁目子ども食堂")
    applicant = GroupFactory(pending=True, name=name)
    assert [d.group for d in possible_duplicates(applicant)] == [registered]
