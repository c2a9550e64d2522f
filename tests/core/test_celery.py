"""Celery through the real broker: a task sent to Redis is run by a worker."""

import pytest

from tests import services


def test_celery_app_is_configured_the_conventional_way():
    """The app reads CELERY_ settings, accepts JSON only and discovers the apps' tasks."""
    from config.celery import app

    assert app.main == "kyodo"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_without_redis_tasks_run_in_process():
    """In tests (and `make run` without REDIS_URL) a task's result is available at once."""
    from config.celery import ping

    assert ping.delay("こんにちは").get(timeout=5) == "こんにちは"


@pytest.mark.redis
def test_a_task_goes_through_redis_to_a_real_worker(celery_redis_worker):
    """With REDIS_URL, a task is sent through Redis to a worker thread and its result comes back."""
    from config.celery import app, ping

    assert app.conf.task_always_eager is False
    result = ping.delay("協働")
    assert result.get(timeout=20) == "協働"
    assert result.backend.__class__.__name__ == "RedisBackend"


def test_beat_schedule_is_collected_from_the_apps():
    """Periodic tasks registered by the apps (hook "beat_schedule") all reach beat."""
    from core.schedules import collect_beat_schedule

    schedule = collect_beat_schedule()
    assert {
        "groups-renewal-reminders",
        "events-session-reminders",
        "consultations-anonymise-expired-yearly",
        "reports-sweep",
    } <= set(schedule)
    assert all("task" in entry and "schedule" in entry for entry in schedule.values())


def test_redis_requirement_is_explained_when_missing(settings, monkeypatch):
    """Locally, a test that needs Redis skips with a reason; under CI it fails instead."""
    settings.REDIS_URL = ""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="REDIS_URL"):
        services.require_redis()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        services.require_redis()
