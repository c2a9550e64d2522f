"""Background work for events: thin tasks that take ids and call services."""

from __future__ import annotations

from celery import shared_task

from events import services


@shared_task(name="events.send_session_reminders", soft_time_limit=14 * 60, time_limit=15 * 60)
def send_session_reminders() -> int:
    return services.reminders_send_due()


@shared_task(name="events.send_event_surveys", soft_time_limit=14 * 60, time_limit=15 * 60)
def send_event_surveys() -> int:
    return services.surveys_send_due()
