"""Background work for matching: the introduction e-mails."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=100, time_limit=120)
def send_introduction_mail(match_id: int) -> None:
    """Sends the introduction e-mails of a match once. Idempotent: a sent match is left alone."""
    from matching.models import Match
    from matching.services import match_send_introduction_mail

    match = Match.objects.filter(pk=match_id).first()
    if match is None or match.mail_sent_at is not None:
        return
    match_send_introduction_mail(match=match)
