"""The projects lists find a project however its words are typed (core.models.KeywordSearchable),
like the group directory, the events and the needs: widths, kana, ヶ/ケ, synonyms, 法人格."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from groups.models import LegalForm
from projects.selectors import public_project_list, staff_project_list, support_log_list
from tests.conftest import frozen_clock
from tests.projects.factories import ProjectFactory, ProjectGroupFactory, log_support

pytestmark = pytest.mark.django_db

# The support records are held on 1 June 2026 (log_support): a day they may be written.
_frozen_now = frozen_clock(dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC))


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


@pytest.mark.parametrize(
    ("keyword", "found"),
    [
        ("NPO法人", {"led", "npo_summary"}),  # the lead group's recorded 法人格, or the summary's words
        ("特定非営利活動法人", {"led", "npo_summary"}),
        ("ＮＰＯ法人　みどり", {"led"}),  # with a name, the name decides
        ("社会福祉法人", set()),
    ],
)
def test_a_legal_form_alone_finds_the_projects_its_groups_lead(projects, keyword, found):
    projects["led"].lead_group.legal_form = LegalForm.NPO
    projects["led"].lead_group.save()
    projects["npo_summary"] = ProjectFactory(
        title="空き家の活用",
        summary="NPO法人と市の協働",
        lead_group=ProjectGroupFactory(legal_form=LegalForm.VOLUNTARY),
    )
    for key in ("cafeteria", "elderly"):
        projects[key].lead_group.legal_form = LegalForm.VOLUNTARY
        projects[key].lead_group.save()
    _filterset, rows = public_project_list(data={"q": keyword})
    assert {p.pk for p in rows} == {projects[key].pk for key in found}


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


# --- 支援記録 (the staff list): its content and supporters, and its project's title and summary ---


@pytest.fixture
def support_logs(staff_user):
    hill = ProjectFactory(support=True, title="西ケ丘 子ども食堂の立ち上げ", summary="週1回の食事会")
    river = ProjectFactory(support=True, title="川辺の清掃", summary="月1回の清掃")
    return {
        "hill": log_support(hill, by=staff_user, supporters="メンター 山田", content="会場の下見をした。"),
        "budget": log_support(
            river, by=staff_user, supporters="NPO supporter", content="しゅうしけいかくを見直した。"
        ),
        "flyer": log_support(river, by=staff_user, supporters="職員 佐藤", content="ﾁﾗｼの原稿を直した。"),
    }


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("西ヶ丘", {"hill"}),  # ヶ/ケ in the project's title
        ("こども食堂", {"hill"}),  # 子ども/こども (a built-in synonym)
        ("シュウシケイカク", {"budget"}),  # katakana finds hiragana in the content
        ("ＳＵＰＰＯＲＴＥＲ", {"budget"}),  # full width finds half width in the supporters
        ("チラシ", {"flyer"}),  # half-width katakana in the content
        ("清掃", {"budget", "flyer"}),  # the project's title
        ("存在しない言葉", set()),  # a word that is not there finds nothing, not everything
    ],
)
def test_the_support_log_list_finds_a_record_in_any_spelling(support_logs, keyword, expected):
    _filterset, rows = support_log_list(data={"q": keyword})
    assert {log.pk for log in rows} == {support_logs[name].pk for name in expected}


def test_the_support_log_page_answers_a_search(client, staff_user, support_logs):
    client.force_login(staff_user)
    html = client.get(reverse("projects:support_logs"), {"q": "西ヶ丘"}).content.decode()
    assert "西ケ丘 子ども食堂の立ち上げ" in html and "川辺の清掃" not in html
