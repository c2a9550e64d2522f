"""An event session blocks its room: receivers on the events app's models, so that events never
imports spaces (the architecture contract says spaces may import events, not the reverse). And a
booking's history starts at its first change (baseline_before_first_change)."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from events.models import Event, EventSession
from spaces.models import Booking


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


@receiver(pre_save, sender=Booking, dispatch_uid="spaces_booking_history_baseline")
def baseline_before_first_change(sender, instance: Booking, raw: bool = False, **kwargs) -> None:
    """A booking is made without a history row (most are never changed, and the row holds who
    booked and when); before its first change, in whatever way (a service, the admin), its state
    as booked is recorded as the history's creation, by the person who booked, so the change is
    shown against it with who made it and why (core.history). Bookings written in bulk (seed_demo,
    an import) get theirs the same way."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if instance.history.exists():
        return
    stored = Booking.objects.select_related("booked_by").filter(pk=instance.pk).first()
    if stored is not None:
        Booking.history.bulk_history_create(
            [stored], default_date=stored.created_at, default_user=stored.booked_by
        )
