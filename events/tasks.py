"""Background work for events: thin tasks that take ids and call services."""

from __future__ import annotations

from celery import shared_task

from events import services
from events.models import Notification


@shared_task(name="events.send_notification", acks_late=True, soft_time_limit=100, time_limit=120)
def send_notification(notification_id: int) -> str:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return "missing"
    return services.notification_send(notification=notification).status


@shared_task(name="events.send_session_reminders", soft_time_limit=14 * 60, time_limit=15 * 60)
def send_session_reminders() -> int:
    return services.reminders_send_due()


@shared_task(name="events.send_event_surveys", soft_time_limit=14 * 60, time_limit=15 * 60)
def send_event_surveys() -> int:
    return services.surveys_send_due()


@shared_task(name="events.retry_failed_notifications", soft_time_limit=14 * 60, time_limit=15 * 60)
def retry_failed_notifications() -> int:
    return services.notifications_retry_failed()
