"""Background work for consultations."""

from celery import shared_task

from consultations import services


@shared_task(name="consultations.anonymise_expired", acks_late=True)
def anonymise_expired_consultations() -> int:
    """Yearly (see hooks.BEAT_SCHEDULE): anonymises consultations past the retention period.

    Idempotent: a second run anonymises nothing more. A failed run changes nothing (one
    transaction) and the next run, or `manage.py anonymise_consultations`, catches up.
    """
    return services.consultations_anonymise_expired(path="celery: consultations.anonymise_expired")
