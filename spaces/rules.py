"""Who may do what with the spaces (object permissions through the `rules` package)."""

from __future__ import annotations

import rules

from core.predicates import is_center_staff
from spaces.models import Booking


@rules.predicate
def is_own_booking(user, booking: Booking) -> bool:
    from spaces.services import user_edits_group

    if booking is None or not getattr(user, "is_authenticated", False):
        return False
    return booking.booked_by_id == user.pk or user_edits_group(user, booking.group)


@rules.predicate
def may_cancel(user, booking: Booking) -> bool:
    from spaces.services import user_may_cancel

    return booking is not None and user_may_cancel(user=user, booking=booking)


@rules.predicate
def edits_group(user, group) -> bool:
    from spaces.services import user_edits_group

    return user_edits_group(user, group)


# Staff run the spaces: counter and phone bookings, blocks, approvals, no-shows, machine use, fees.
rules.add_perm("spaces.manage_spaces", is_center_staff)
# Booking a room needs an account; which rooms and groups is the booking rules' (spaces.services).
rules.add_perm("spaces.book_room", rules.is_authenticated)
rules.add_perm("spaces.view_booking", is_own_booking | is_center_staff)
# Editors of the group until the room's cancellation deadline; staff at any time.
rules.add_perm("spaces.cancel_booking", may_cancel)
# A group's monthly statement (利用料): its editors and staff.
rules.add_perm("spaces.view_statement", edits_group | is_center_staff)
