"""Deciding whether a test that needs PostgreSQL, Redis or Chromium can run.

On a developer's machine a missing service skips the test with its reason. Under CI (CI=true)
nothing may skip for a missing service: the test fails instead.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest
from django.conf import settings

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, reason: str) -> None:
    if available:
        return
    if running_in_ci():
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def redis_answers(url: str | None = None) -> bool:
    url = url or settings.REDIS_URL
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping())
    except Exception:
        return False


def require_redis() -> str:
    require(bool(settings.REDIS_URL), "REDIS_URL is not set: this test needs Redis and a Celery worker")
    require(redis_answers(), f"Redis does not answer at {settings.REDIS_URL}")
    return settings.REDIS_URL


def require_postgres() -> None:
    require(settings.IS_POSTGRES, "DATABASE_URL does not point at PostgreSQL: this test needs it")


def require_chromium() -> str:
    found = os.path.exists(CHROMIUM_PATH) or shutil.which("chromium")
    require(bool(found), f"Chromium is not installed at {CHROMIUM_PATH} (Debian: apt-get install chromium)")
    return CHROMIUM_PATH


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0
