"""Open data is built once and rebuilt after a change."""

import pytest
from django.urls import reverse

from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db


def test_open_data_is_cached_and_follows_changes(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    group = GroupFactory(name="さくら子ども会")
    client.get(reverse("groups:open_data_json"))
    client.get(reverse("groups:open_data_csv"))
    with django_assert_num_queries(0):
        assert "さくら子ども会" in client.get(reverse("groups:open_data_json")).content.decode()
        assert "さくら子ども会" in client.get(reverse("groups:open_data_csv")).content.decode("utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        group.name = "もみじ子ども会"
        group.save()
    assert "もみじ子ども会" in client.get(reverse("groups:open_data_json")).content.decode()
    assert "もみじ子ども会" in client.get(reverse("groups:open_data_csv")).content.decode("utf-8-sig")
