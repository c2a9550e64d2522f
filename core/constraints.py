"""Database constraints that several apps declare the same way."""

from __future__ import annotations

import operator
from functools import reduce

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def unless_either_empty(left: str, lookup: str, right: str) -> Q:
    """The condition `left <lookup> right` (lt, lte, gt, gte) of a range or a period whose ends may
    be left blank: it holds while either end is empty. Its terms keep this order (isnull of left,
    of right, then the comparison) because migrations compare conditions term by term."""
    return (
        Q(**{f"{left}__isnull": True})
        | Q(**{f"{right}__isnull": True})
        | Q(**{f"{left}__{lookup}": models.F(right)})
    )


def ends_after_start(name: str) -> models.CheckConstraint:
    """`ends_at` is later than `starts_at`: a session, a booking."""
    return models.CheckConstraint(
        condition=Q(ends_at__gt=models.F("starts_at")),
        name=name,
        violation_error_message=_("終了日時は開始日時より後にしてください。"),
    )


def exactly_one_of(*fields: str, name: str) -> models.CheckConstraint:
    """Exactly one of the fields is set: a record that belongs to one of several kinds of owner."""
    choices = [Q(**{f"{other}__isnull": other != chosen for other in fields}) for chosen in fields]
    return models.CheckConstraint(condition=reduce(operator.or_, choices), name=name)
