"""An event session blocks its room: receivers on the events app's models, so that events never
imports spaces (the architecture contract says spaces may import events, not the reverse)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from events.models import Event, EventSession


@receiver(post_save, sender=EventSession, dispatch_uid="spaces_block_session_room")
def block_session_room(sender, instance: EventSession, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata / restore: the bookings come with the data
        return
    from spaces.services import event_session_sync

    event_session_sync(session=instance)


@receiver(post_save, sender=Event, dispatch_uid="spaces_block_event_rooms")
def block_event_rooms(sender, instance: Event, created: bool, raw: bool = False, **kwargs) -> None:
    """The event's venue may have changed: every session follows it."""
    if raw or created:
        return
    from spaces.services import event_session_sync

    for session in instance.sessions.all():
        event_session_sync(session=session)
