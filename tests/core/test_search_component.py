"""The search-and-filter component every list shares (core.filters.search_summary and the two
includes): the same words, the keyword first, a result line that repeats the query, and each
chosen condition removable on its own."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from core.models import Area, Theme
from core.useragent import describe_user_agent
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("groups:index")


def chips(html: str) -> list[tuple[str, str]]:
    """(text, href) of every chip link."""
    return [
        (re.sub(r"<[^>]+>", "", text).strip(), href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a class="chip[^"]*" href="([^"]*)">(.*?)</a>', html, re.S)
    ]


def test_the_result_line_repeats_the_keyword_with_the_count(client):
    GroupFactory(name="ひまわり子ども食堂", name_kana="ひまわりこどもしょくどう")
    GroupFactory(name="こども図書の会", name_kana="こどもとしょのかい")
    GroupFactory(name="みどり環境の会", name_kana="みどりかんきょうのかい", purpose="清掃", activities="清掃")
    html = client.get(INDEX, {"q": "こども"}).content.decode()
    assert re.search(r"「こども」の検索結果 <strong>2件</strong>", html)


def test_each_chosen_condition_is_a_chip_that_removes_only_itself(client):
    theme = Theme.objects.first()
    area = Area.objects.create(name="本町", name_kana="ほんまち")
    query = {"q": "こども", "theme": theme.pk, "area": area.pk, "page": "1"}
    html = client.get(INDEX, query).content.decode()
    found = dict(chips(html))
    assert set(found) >= {"キーワード: こども×（この条件を外す）", "地域: 本町×（この条件を外す）"}
    for text, href in found.items():
        query = parse_qs(urlsplit(href).query)
        assert "page" not in query
        if text.startswith("地域"):
            assert query == {"q": ["こども"], "theme": [str(theme.pk)]}
        if text.startswith("キーワード"):
            assert query == {"theme": [str(theme.pk)], "area": [str(area.pk)]}
    assert "すべて外す" in found


def test_same_words_and_keyword_first_with_the_details_collapsed_until_chosen(client):
    html = client.get(INDEX).content.decode()
    assert "条件をしぼる" in html and "詳しい条件" in html
    form = html[html.index('class="filter-form"') :]
    assert form.index('name="q"') < form.index("<details")
    assert re.search(r"<details class=\"search-more\" data-open-wide>", html)
    assert "条件をすべて外す" not in html
    theme = Theme.objects.first()
    chosen = client.get(INDEX, {"theme": theme.pk}).content.decode()
    assert re.search(r"<details class=\"search-more\" data-open-wide open>", chosen)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("events:index", {"q": "対話"}),
        ("projects:index", {"q": "子ども"}),
        ("matching:index", {"q": "チラシ"}),
        ("info:grant_list", {"soon": "on"}),
    ],
)
def test_every_public_list_uses_the_same_component(client, path, query):
    html = client.get(reverse(path), query).content.decode()
    assert "条件をしぼる" in html and 'class="search-result-line"' in html
    assert "絞り込み" not in html
    assert chips(html), "the chosen condition is shown as a chip"
    assert not re.search(r'class="badge-(optional|required)"', html)


def test_staff_event_list_uses_the_component_with_the_result_line_and_removable_chips(client_for, staff_user):
    from events.models import Program
    from tests.events.factories import EventFactory

    program = Program.objects.first()
    EventFactory(title="こども食堂の始め方", program=program)
    EventFactory(title="こども読書の講座", program=program)
    EventFactory(title="防災のまちあるき")
    client = client_for(staff_user)
    html = client.get(
        reverse("events:staff_index"), {"q": "こども", "program": program.code}
    ).content.decode()
    assert "条件をしぼる" in html and "詳しい条件" in html
    assert re.search(r"「こども」の検索結果 <strong>2件</strong>", html)
    found = dict(chips(html))
    keyword = found.pop("キーワード: こども×（この条件を外す）")
    assert parse_qs(urlsplit(keyword).query) == {"program": [program.code]}
    by_program = found.pop(f"事業: {program.name}×（この条件を外す）")
    assert parse_qs(urlsplit(by_program).query) == {"q": ["こども"]}
    assert not re.search(r'class="badge-(optional|required)"', html)
    everything = client.get(reverse("events:staff_index")).content.decode()
    assert re.search(r"催し <strong>3件</strong>", everything)


def test_support_log_list_uses_the_component_with_the_result_line_and_removable_chips(client_for, staff_user):
    import datetime as dt

    from projects import services
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(support=True)
    for kind, content in (
        ("mentor", "こども食堂の収支"),
        ("mentor", "こども向け講座の広報"),
        ("other", "会計"),
    ):
        services.support_log_create(
            project=project,
            by=staff_user,
            held_on=dt.date(2026, 6, 1),
            kind=kind,
            supporters="メンター",
            content=content,
        )
    client = client_for(staff_user)
    html = client.get(reverse("projects:support_logs"), {"q": "こども", "kind": "mentor"}).content.decode()
    assert "条件をしぼる" in html and "詳しい条件" in html
    assert re.search(r"「こども」の検索結果 <strong>2件</strong>", html)
    found = dict(chips(html))
    keyword = found.pop("キーワード: こども×（この条件を外す）")
    assert parse_qs(urlsplit(keyword).query) == {"kind": ["mentor"]}
    by_kind = found.pop("支援の種類: メンター面談×（この条件を外す）")
    assert parse_qs(urlsplit(by_kind).query) == {"q": ["こども"]}
    assert not re.search(r'class="badge-(optional|required)"', html)


def test_outcome_list_uses_the_component_with_the_result_line_and_removable_chips(client_for, staff_user):
    from tests.reports.factories import OutcomeRecordFactory

    OutcomeRecordFactory(episode="こども食堂で出会った", axis="resources")
    OutcomeRecordFactory(episode="こどもの居場所ができた", axis="resources")
    OutcomeRecordFactory(episode="こども会議", axis="learning")
    OutcomeRecordFactory(episode="こども食堂（前の年度）", fiscal_year=2024)
    client = client_for(staff_user)
    query = {"q": "こども", "year": "2025", "axis": "resources"}
    html = client.get(reverse("reports:outcome_list"), query).content.decode()
    assert "条件をしぼる" in html and "詳しい条件" in html and "絞り込み" not in html
    assert re.search(r"「こども」の検索結果 <strong>2件</strong>", html)
    found = dict(chips(html))
    by_axis = found.pop("評価の軸: 資源連結×（この条件を外す）")
    assert parse_qs(urlsplit(by_axis).query) == {"q": ["こども"], "year": ["2025"]}
    keyword = found.pop("キーワード: こども×（この条件を外す）")
    assert parse_qs(urlsplit(keyword).query) == {"year": ["2025"], "axis": ["resources"]}
    assert "年度: 令和7年度×（この条件を外す）" in found
    assert not re.search(r'class="badge-(optional|required)"', html)


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0 Safari/537.36",
            "Chrome（Windows のパソコン）",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari（iPhone）",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0 Mobile Safari/537.36 EdgA/131.0",
            "Microsoft Edge（Android のスマートフォン）",
        ),
        ("", "不明なブラウザー"),
    ],
)
def test_sessions_name_browsers_and_devices_in_japanese(user_agent, label):
    assert describe_user_agent(user_agent) == label


def test_the_list_layout_names_all_its_parts():
    """{% search_layout %} without the result line's count and noun does not compile."""
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template('{% search_layout url_name="groups:index" label="団体の検索" %}{% endsearch_layout %}')
