"""The client's address (core/net.py) and the login limits that key on it."""

import logging

import pytest
from django.test import RequestFactory

from core.net import client_ip

PROXY = "10.0.0.2"


def request_with(remote="192.0.2.10", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_configured_proxy_the_forwarded_header_is_ignored(settings):
    """A client cannot choose its address by sending X-Forwarded-For when no proxy is configured."""
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_with(forwarded="9.9.9.9")) == "192.0.2.10"


def test_with_one_proxy_the_last_entry_is_the_client(settings):
    """Entries before the one our proxy appended are the client's own and may be forged."""
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_with(PROXY, "1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_with_two_proxies_the_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_with(PROXY, "1.2.3.4, 203.0.113.9, 10.0.0.7")) == "203.0.113.9"
    # Fewer entries than proxies: the header was not written by them, so it is not believed.
    assert client_ip(request_with(PROXY, "203.0.113.9")) == PROXY


def test_the_header_counts_only_from_the_proxy_network(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/24"]
    assert client_ip(request_with(PROXY, "203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_with("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


def test_garbage_in_the_header_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_with(PROXY, "not-an-address\x00")) == PROXY
    assert client_ip(request_with(PROXY, "[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(request_with(PROXY, "203.0.113.9:5555")) == "203.0.113.9"


def login(client, email, password, forwarded):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_failed_logins_from_others_behind_the_proxy_never_lock_everyone_out(client, member, settings):
    """Behind the proxy every request comes from its address; the limit must count real clients."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for i in range(12):
        login(client, f"stranger{i}@example.jp", "wrong-password", f"198.51.100.{i % 2}")
    response = login(client, member.email, "correct-horse-battery-42", "203.0.113.5")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


@pytest.mark.django_db
def test_one_client_is_limited_per_address_and_answered_429_in_japanese(client, member, settings, caplog):
    """The client that fails too often is refused with 429 in the site's layout, and the log says so."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for i in range(10):
        login(client, f"stranger{i}@example.jp", "wrong-password", "198.51.100.7")
    with caplog.at_level(logging.WARNING, logger="kyodo.security"):
        response = login(client, "stranger99@example.jp", "wrong-password", "198.51.100.7")
    assert response.status_code == 429
    body = response.content.decode()
    assert '<html lang="ja">' in body and "ログイン" in body
    assert any("rate_limited" in r.getMessage() and "198.51.100.7" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_one_account_is_locked_after_repeated_wrong_passwords(client, member):
    """Per account: five wrong passwords from anywhere, then even the right one is refused (429)."""
    for i in range(5):
        client.post(
            "/accounts/login/", {"login": member.email, "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{i}"
        )
    response = client.post(
        "/accounts/login/",
        {"login": member.email, "password": "correct-horse-battery-42"},
        REMOTE_ADDR="192.0.2.99",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_compose_publishes_the_web_port_on_loopback_and_gunicorn_trusts_only_the_proxy():
    """Nobody reaches gunicorn except through the proxy, and gunicorn does not believe everyone."""
    from django.conf import settings

    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    assert '"${WEB_BIND:-127.0.0.1}:${WEB_PORT:-8000}:8000"' in compose
    assert "TRUSTED_PROXY_COUNT: ${TRUSTED_PROXY_COUNT:-1}" in compose
    assert '"*"' not in dockerfile and "forwarded-allow-ips" not in dockerfile
