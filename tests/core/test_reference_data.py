"""Reference data created by data migrations comes back after a flush (post_migrate), so that
no test depends on running before a transactional test that empties the database."""

import pytest
from django.contrib.auth.models import Group

from consultations.models import Topic
from consultations.reference import TOPICS
from core.models import Theme
from events.models import Program
from events.reference import PROGRAMS


@pytest.mark.django_db
def test_post_migrate_brings_back_topics_programs_themes_and_roles():
    """What a flush empties, post_migrate (which the flush emits) creates again."""
    from django.core.management.sql import emit_post_migrate_signal

    Topic.objects.all().delete()
    Program.objects.all().delete()
    Theme.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert sorted(Topic.objects.values_list("code", flat=True)) == sorted(code for code, _name in TOPICS)
    assert Program.objects.get(code="networking").name == "交流会"
    assert Program.objects.count() == len(PROGRAMS)
    assert Theme.objects.filter(is_npo_act_field=True).count() == 20
    assert Group.objects.filter(name="センター職員").exists()


@pytest.mark.django_db
def test_staff_edits_to_topics_are_kept():
    """Once topics exist, the reference data leaves them as staff left them."""
    from consultations.reference import ensure_topics

    Topic.objects.filter(code="other").update(name="その他の相談")
    ensure_topics()
    assert Topic.objects.get(code="other").name == "その他の相談"
