"""The signed-in person and their roles are loaded in one query; the Redis cache reuses its client."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from core.backends import AuthenticationBackend
from core.cache import ReusedClientRedisCacheClient
from core.roles import Role, user_role_names

pytestmark = pytest.mark.django_db


def test_get_user_loads_the_person_with_every_role_in_one_query(make_user, django_assert_num_queries):
    """Two roles come back as two names, with no further query when the rules ask them."""
    user = make_user(roles=(Role.OFFICIAL, Role.COMMITTEE), email="two-roles@example.jp")
    with django_assert_num_queries(1):
        loaded = AuthenticationBackend().get_user(user.pk)
        assert user_role_names(loaded) == {Role.OFFICIAL, Role.COMMITTEE}
        assert loaded.pk == user.pk and loaded.email == user.email


def test_get_user_without_a_role_has_an_empty_set(member, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert user_role_names(AuthenticationBackend().get_user(member.pk)) == set()


def test_get_user_refuses_an_inactive_or_missing_account(member):
    member.is_active = False
    member.save()
    assert AuthenticationBackend().get_user(member.pk) is None
    assert AuthenticationBackend().get_user(10**9) is None


def test_get_user_reads_every_field_from_the_session_s_id(member):
    """The session keeps the id as text; the person comes back whole (no field left to a later
    query), and an id that is not a number finds nobody instead of failing the request."""
    loaded = AuthenticationBackend().get_user(str(member.pk))
    assert loaded.pk == member.pk and loaded.get_deferred_fields() == set()
    assert loaded.full_name == member.full_name and loaded.email == member.email
    assert AuthenticationBackend().get_user("not-a-number") is None


def test_a_role_removed_is_gone_on_the_next_request(make_user):
    """The roles are read per request, never kept between requests."""
    user = make_user(roles=(Role.STAFF,), email="staff-once@example.jp")
    client = Client()
    client.force_login(user)
    assert client.get("/staff/").status_code == 200
    user.groups.remove(Group.objects.get(name=Role.STAFF))
    assert client.get("/staff/").status_code == 403


def test_redis_cache_client_is_built_once_per_pool():
    """No connection is made to build a client: the same client serves every call on a pool."""
    client = ReusedClientRedisCacheClient(["redis://127.0.0.1:6379/0"])
    first = client.get_client(write=True)
    assert client.get_client(write=False) is first
    assert client.get_client("key", write=True) is first
