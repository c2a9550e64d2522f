import io
import random

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from groups import demo, hooks
from groups.models import Group, GroupMembership, GroupStatus, RegistrationCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    from core.demo import seed as core_seed

    out = io.StringIO()
    core_seed(scale=1, rng=random.Random(1), out=out)
    demo.seed(scale=1, rng=random.Random(2), out=out)
    return out.getvalue()


def test_seed_demo_makes_a_few_hundred_believable_groups(seeded):
    """About 300 groups across themes and districts, every state, owners, numbers from FY2021 on."""
    assert 250 <= Group.objects.count() <= 300
    statuses = set(Group.objects.values_list("status", flat=True))
    assert statuses == set(GroupStatus.values)
    assert (
        Group.objects.filter(memberships__role=GroupMembership.Role.OWNER).distinct().count()
        == Group.objects.count()
    )
    prefixes = {
        n.split("-")[0]
        for n in Group.objects.exclude(registration_number="").values_list("registration_number", flat=True)
    }
    assert {"R3", "R4", "R5", "R6", "R7"} <= prefixes
    assert RegistrationCounter.objects.filter(fiscal_year=2021).exists()
    group = Group.objects.public().first()
    assert group.search_text and group.sort_key and group.kana_row  # the same normalisation as save()
    assert group.themes.exists() and group.areas.exists()
    assert group.history.count() == 1
    member_groups = Group.objects.filter(memberships__user__email="member@example.jp")
    assert member_groups.count() == 3


def test_demo_groups_are_stored_in_the_spelling_every_write_path_gives(seeded):
    """Names, people and addresses as Group.clean tidies them (「ＮＰＯサポートセンター」 →
    NPO), so the staff's exported CSV imports back as 変更なし on every row."""
    from groups import csv_io
    from groups.models import TIDIED_FIELDS

    for group in Group.objects.only(*TIDIED_FIELDS):
        stored = [getattr(group, name) for name in TIDIED_FIELDS]
        group.clean()
        assert stored == [getattr(group, name) for name in TIDIED_FIELDS], stored
    preview = csv_io.parse(csv_io.export_csv(csv_io.iter_for_export(Group.objects.all())).encode("utf-8"))
    assert preview.is_valid and preview.counts["update"] == 0


def test_bench_pages_answer(seeded, client):
    pages = demo.bench_pages(scale=1)
    assert set(pages) == {"group_directory", "group_directory_search", "group_detail"}
    for page in pages.values():
        assert client.get(getattr(page, "path", page)).status_code == 200
    cache.clear()  # the loop above left the anonymous page in the page cache, which has no context
    response = client.get(getattr(pages["group_directory_search"], "path", pages["group_directory_search"]))
    assert response.context["filter"].form.cleaned_data["q"] == "こども"


def test_beat_schedule_runs_the_renewal_reminder_task():
    import groups.tasks  # noqa: F401  (autodiscovery is lazy)
    from config.celery import app

    entry = hooks.BEAT_SCHEDULE["groups-renewal-reminders"]
    assert entry["task"] == "groups.send_renewal_reminders"
    assert entry["task"] in app.tasks


def test_staff_links_and_mypage_panel(staff_user, member):
    Group.objects.create(
        name="申請中の会", name_kana="しんせいちゅう", legal_form="voluntary", status=GroupStatus.PENDING
    )
    request = RequestFactory().get("/staff/")
    request.user = staff_user
    links = {link.title: link for link in hooks.staff_links(request)}
    assert links["団体登録の申請（確認待ち）"].count == 1
    request.user = member
    panel = hooks.mypage_panels(request)[0]
    assert panel.title == "わたしの団体" and panel.context["groups"] == []
