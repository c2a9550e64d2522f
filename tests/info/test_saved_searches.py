"""Saved searches: saving a list's filters, one digest per person of what is new, unsubscribing."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups import services as group_services
from info import services
from info.models import AlertDelivery, SavedSearch
from tests.groups.factories import GroupFactory
from tests.info.conftest import JST
from tests.info.factories import GrantFactory, SavedSearchFactory
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, tzinfo=JST)


def run_digests(capture, frequency="weekly"):
    with capture(execute=True):
        return services.digests_send(frequency=frequency)


def digests(to: str) -> list:
    return [m for m in mail.outbox if m.to == [to] and "新着" in m.subject]


def test_member_saves_a_directory_search_and_gets_one_digest_naming_the_new_group(
    client_for, member, staff_user, frozen, kosodate, django_capture_on_commit_callbacks
):
    client = client_for(member)
    directory = client.get(reverse("groups:index"), {"q": "子育て"}).content.decode()
    encoded = "q%3D%25E5%25AD%2590%25E8%2582%25B2%25E3%2581%25A6"  # q=子育て, quoted twice
    save_link = f"{reverse('info:search_create')}?kind=groups&amp;query={encoded}"
    assert save_link in directory
    form_page = client.get(reverse("info:search_create"), {"kind": "groups", "query": "q=子育て&page=3"})
    assert form_page.context["form"]["query"].value() == urlencode({"q": "子育て"})
    response = client.post(
        reverse("info:search_create"),
        {"kind": "groups", "query": "q=子育て", "name": "子育ての団体", "frequency": "weekly"},
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get(user=member)
    assert search.name == "子育ての団体"

    frozen.move_to(at(2, 9))
    pending = GroupFactory(
        pending=True, name="ひだまり子育てサロン", name_kana="ひだまりこそだてさろん", themes=[kosodate]
    )
    GroupFactory(pending=True, name="川をきれいにする会", name_kana="かわをきれいにするかい")
    with django_capture_on_commit_callbacks(execute=True):
        group_services.group_approve(group=pending, staff=staff_user)
    other = GroupFactory(pending=True, name="森の会", name_kana="もりのかい")
    with django_capture_on_commit_callbacks(execute=True):
        group_services.group_approve(group=other, staff=staff_user)
    mail.outbox.clear()

    frozen.move_to(at(8, 8))
    assert run_digests(django_capture_on_commit_callbacks) == 1
    [message] = digests(member.email)
    assert "ひだまり子育てサロン" in message.body
    assert "森の会" not in message.body
    assert "子育ての団体" in message.body
    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Nothing is sent twice for the same group.
    frozen.move_to(at(15, 8))
    mail.outbox.clear()
    assert run_digests(django_capture_on_commit_callbacks) == 0
    assert digests(member.email) == []

    # Unsubscribing needs no login; opening the link only asks, the button stops the alerts.
    path = unsubscribe_url.split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")
    anonymous = client.__class__()
    assert "配信を止める" in anonymous.get(path).content.decode()
    assert SavedSearch.objects.get(pk=search.pk).is_active
    assert "すべて止めました" in anonymous.post(path).content.decode()
    assert not SavedSearch.objects.get(pk=search.pk).is_active


def test_one_digest_per_person_for_several_searches_without_repeating_an_item(
    member, frozen, kosodate, django_capture_on_commit_callbacks
):
    SavedSearchFactory(user=member, kind="grants", name="子ども", query=f"theme={kosodate.pk}")
    SavedSearchFactory(user=member, kind="grants", name="すべての助成金", query="")
    SavedSearchFactory(user=member, kind="needs", name="ニーズ", query="")
    frozen.move_to(at(3))
    GrantFactory(title="子育て応援助成", themes=[kosodate])
    NeedFactory(group=GroupFactory(), title="チラシを作りたい")

    frozen.move_to(at(8, 8))
    assert run_digests(django_capture_on_commit_callbacks) == 1
    [message] = digests(member.email)
    assert message.body.count("子育て応援助成") == 1
    assert "チラシを作りたい" in message.body
    assert AlertDelivery.objects.filter(user=member).count() == 2


def test_immediate_and_weekly_searches_run_separately_and_switched_off_ones_never(
    member, make_user, frozen, django_capture_on_commit_callbacks
):
    SavedSearchFactory(user=member, kind="grants", query="", frequency="immediate")
    quiet = make_user(email="quiet@example.jp")
    SavedSearchFactory(user=quiet, kind="grants", query="", frequency="immediate", is_active=False)
    frozen.move_to(at(1, 11))
    GrantFactory(title="新しい助成金")
    frozen.move_to(at(1, 12))
    assert run_digests(django_capture_on_commit_callbacks, "weekly") == 0
    assert run_digests(django_capture_on_commit_callbacks, "immediate") == 1
    assert digests(quiet.email) == []


def test_an_invalid_saved_filter_matches_nothing(member, frozen, django_capture_on_commit_callbacks):
    SavedSearchFactory(user=member, kind="grants", query="amount=abc")
    frozen.move_to(at(3))
    GrantFactory()
    frozen.move_to(at(8))
    assert run_digests(django_capture_on_commit_callbacks) == 0


def test_items_from_before_the_search_was_saved_are_not_new(
    member, frozen, django_capture_on_commit_callbacks
):
    GrantFactory(title="前からある助成金")
    frozen.move_to(at(1, 11))
    SavedSearchFactory(user=member, kind="grants", query="")
    frozen.move_to(at(8))
    assert run_digests(django_capture_on_commit_callbacks) == 0


def test_one_persons_failure_does_not_stop_the_others(
    member, make_user, frozen, monkeypatch, django_capture_on_commit_callbacks
):
    other = make_user(email="other@example.jp")
    SavedSearchFactory(user=member, kind="grants", query="")
    SavedSearchFactory(user=other, kind="grants", query="")
    frozen.move_to(at(3))
    GrantFactory()
    real = services.outbox_enqueue_many

    def failing_for_member(messages):
        # The batch holding the member's digest is refused, then the member's digest alone.
        if any(message["to"] == [member.email] for message in messages):
            raise OSError("mail server refused")
        return real(messages)

    monkeypatch.setattr(services, "outbox_enqueue_many", failing_for_member)
    frozen.move_to(at(8))
    assert run_digests(django_capture_on_commit_callbacks) == 1
    assert len(digests(other.email)) == 1
    # The failed person's items were rolled back with their digest: not recorded as sent.
    assert not AlertDelivery.objects.filter(user=member).exists()


def test_mypage_lists_saved_searches_and_the_owner_edits_them(client_for, member, make_user, frozen):
    search = SavedSearchFactory(user=member, name="子育て")
    client = client_for(member)
    assert "子育て" in client.get(reverse("core:mypage")).content.decode()
    response = client.post(
        reverse("info:search_edit", args=[search.pk]), {"name": "子育て（毎時）", "frequency": "immediate"}
    )
    assert response.status_code == 302
    search.refresh_from_db()
    assert (search.name, search.frequency, search.is_active) == ("子育て（毎時）", "immediate", False)
    stranger = client_for(make_user(email="stranger@example.jp"))
    assert stranger.get(reverse("info:search_edit", args=[search.pk])).status_code == 404


def test_a_forged_unsubscribe_link_changes_nothing(client, member, frozen):
    search = SavedSearchFactory(user=member)
    token = services.unsubscribe_token(member)
    response = client.post(reverse("info:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 404
    search.refresh_from_db()
    assert search.is_active


def test_a_digest_names_ten_items_a_search_counts_the_rest_and_records_what_it_named(
    member, frozen, django_capture_on_commit_callbacks
):
    SavedSearchFactory(user=member, kind="grants", name="すべての助成金", query="")
    frozen.move_to(at(3))
    grants = [GrantFactory(title=f"助成金その{n:02d}") for n in range(12)]
    frozen.move_to(at(8, 8))
    assert run_digests(django_capture_on_commit_callbacks) == 1
    [message] = digests(member.email)
    assert "新着 12件" in message.subject
    assert "助成金その09" in message.body
    assert "助成金その10" not in message.body
    assert "ほか2件は一覧でご覧ください" in message.body
    named = set(AlertDelivery.objects.filter(user=member).values_list("object_id", flat=True))
    assert named == {grant.pk for grant in grants[:10]}
    # The two it counted are not new next week: one digest per person per period.
    frozen.move_to(at(15, 8))
    assert run_digests(django_capture_on_commit_callbacks) == 0


def test_a_person_whose_digest_could_not_be_written_gets_it_next_time(
    member, frozen, monkeypatch, django_capture_on_commit_callbacks
):
    SavedSearchFactory(user=member, kind="grants", query="")
    frozen.move_to(at(3))
    GrantFactory(title="届かなかった助成金")
    real = services.outbox_enqueue_many

    def refused(messages):
        raise OSError("database refused")

    monkeypatch.setattr(services, "outbox_enqueue_many", refused)
    frozen.move_to(at(8, 8))
    assert run_digests(django_capture_on_commit_callbacks) == 0
    monkeypatch.setattr(services, "outbox_enqueue_many", real)
    frozen.move_to(at(8, 9))
    assert run_digests(django_capture_on_commit_callbacks) == 1
    [message] = digests(member.email)
    assert "届かなかった助成金" in message.body


def test_a_digest_runs_queries_per_distinct_filter_and_per_batch_of_people_not_per_search(
    make_user, frozen, kosodate, monkeypatch
):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.models import User

    ContentType.objects.get_for_model(User)  # cached from here on, as in a worker

    def people(n: int, searches_each: int) -> None:
        for _ in range(n):
            person = make_user()
            for i in range(searches_each):
                # Every search shares one of two filters.
                query = f"theme={kosodate.pk}" if i % 2 else ""
                SavedSearchFactory(user=person, kind="grants", name=f"条件{i}", query=query)

    day = iter(range(2, 30))

    def queries_of_a_run() -> int:
        frozen.move_to(at(next(day)))
        GrantFactory(themes=[kosodate])
        frozen.move_to(at(next(day)))
        with CaptureQueriesContext(connection) as captured:
            sent = services.digests_send(frequency="weekly")
        assert sent == SavedSearch.objects.values("user").distinct().count()
        return len(captured.captured_queries)

    people(2, 2)
    few = queries_of_a_run()
    people(8, 5)
    assert queries_of_a_run() == few  # 10 people, 44 searches, the same two filters
    # Batches of people: each adds the same few writes, however many searches its people have.
    monkeypatch.setattr(services, "DIGEST_BATCH", 4)
    three_batches = queries_of_a_run()
    monkeypatch.setattr(services, "DIGEST_BATCH", 2)
    five_batches = queries_of_a_run()
    per_batch = (five_batches - three_batches) / 2
    assert three_batches - few == 2 * per_batch
    assert per_batch <= 5


def test_a_search_with_invalid_filters_is_neither_offered_nor_saved(client_for, member):
    """/groups/?area=abc is answered with an error (400): the page offers no saving, and a save
    asked for anyway is refused with a message, nothing kept."""
    client = client_for(member)
    directory = client.get(reverse("groups:index"), {"area": "abc"})
    assert directory.status_code == 400
    assert reverse("info:search_create") not in directory.content.decode()
    response = client.post(
        reverse("info:search_create"),
        {"kind": "groups", "query": "area=abc", "name": "地区の団体", "frequency": "weekly"},
    )
    assert response.status_code == 200
    assert "正しくない項目があるため、保存できません" in response.content.decode()
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize("kind", ["needs", "offers"])
def test_a_needs_or_offers_search_with_invalid_filters_is_neither_offered_nor_saved(client_for, member, kind):
    page = client_for(member).get(
        reverse("matching:index"), {"kind": "zzz", **({"type": "offer"} if kind == "offers" else {})}
    )
    assert page.status_code == 400
    assert reverse("info:search_create") not in page.content.decode()
    with pytest.raises(ValidationError):
        services.saved_search_create(
            user=member, kind=kind, name="ニーズ", query="kind=zzz", frequency="weekly"
        )
    assert not SavedSearch.objects.exists()


def test_a_grant_search_with_invalid_filters_is_not_saved(member):
    with pytest.raises(ValidationError):
        services.saved_search_create(
            user=member, kind="grants", name="助成金", query="theme=abc", frequency="weekly"
        )
    assert not SavedSearch.objects.exists()


def test_a_saved_search_refused_for_its_hidden_fields_says_so_in_japanese(client_for, member):
    """The list and its filters come in hidden fields: an error about them names them in Japanese
    (「条件」「一覧」), never the field's English name."""
    client = client_for(member)
    long = client.post(
        reverse("info:search_create"),
        {"kind": "grants", "query": "x=" + "a" * 1200, "name": "長い条件", "frequency": "weekly"},
    ).content.decode()
    assert "条件: 1000文字以内で入力してください" in long and "Query" not in long
    unknown = client.post(
        reverse("info:search_create"), {"kind": "zzz", "query": "", "name": "x", "frequency": "weekly"}
    ).content.decode()
    assert "一覧: 正しく選択してください" in unknown and "Kind" not in unknown
    assert not SavedSearch.objects.exists()
