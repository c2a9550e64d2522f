"""The projects lists find a project however its words are typed (core.models.KeywordSearchable),
like the group directory, the events and the needs: widths, kana, ヶ/ケ, synonyms, 法人格."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.selectors import public_project_list, staff_project_list
from tests.projects.factories import ProjectFactory, ProjectGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects():
    return {
        "cafeteria": ProjectFactory(title="西ケ丘 子ども食堂の協働", summary="毎週の食事会"),
        "elderly": ProjectFactory(title="見守りネットワーク", summary="ﾁﾗｼを配って高齢者を見守る"),
        "led": ProjectFactory(
            title="川辺の清掃", summary="月1回", lead_group=ProjectGroupFactory(name="みどりの風")
        ),
    }


@pytest.mark.parametrize(
    ("keyword", "found"),
    [
        ("西ヶ丘", "cafeteria"),  # ヶ/ケ
        ("こども食堂", "cafeteria"),  # 子ども/こども (a built-in synonym)
        ("ｺﾄﾞﾓ", "cafeteria"),  # half-width katakana is こども, and so 子ども
        ("チラシ", "elderly"),  # half width in the summary
        ("ＮＰＯ法人みどりの風", "led"),  # the lead group's name, 法人格 and width aside
        ("みどり", "led"),
    ],
)
def test_the_public_list_finds_a_project_in_any_spelling(projects, keyword, found):
    _filterset, rows = public_project_list(data={"q": keyword})
    assert [p.pk for p in rows] == [projects[found].pk]


def test_the_staff_list_searches_the_same_way(projects):
    _filterset, rows = staff_project_list(data={"q": "西ヶ丘 こども"})
    assert [p.pk for p in rows] == [projects["cafeteria"].pk]


def test_an_edited_title_is_found_by_its_new_words(projects):
    project = projects["elderly"]
    project.title = "ｼﾆｱの見守り"
    project.save(update_fields=["title"])
    _filterset, rows = public_project_list(data={"q": "シニア"})
    assert [p.pk for p in rows] == [project.pk]


def test_the_public_page_answers_a_search(client, projects):
    html = client.get(reverse("projects:index"), {"q": "西ヶ丘"}).content.decode()
    assert "西ケ丘 子ども食堂の協働" in html and "見守りネットワーク" not in html
