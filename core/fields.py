"""Model fields that several apps declare the same way."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def actor_field(verbose_name=None, *, blank: bool = False, **options) -> models.ForeignKey:
    """The account that did something to a record (created, recorded, decided, changed it).

    The record outlives the account: deleting the account leaves NULL here. The account gets no
    reverse accessor (related_name "+"): nobody lists records by who touched them through it.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


def mapping_field(verbose_name, **options) -> models.JSONField:
    """A JSON object (key → value) that starts empty; `dict` is called for each row, so that no two
    rows share one default."""
    return models.JSONField(verbose_name, default=dict, blank=True, **options)


def optional_link(to, verbose_name, *, on_delete, related_name: str, **options) -> models.ForeignKey:
    """A link a record may leave empty: NULL in the database, not required in forms."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        **options,
    )


def party_link(to, verbose_name, *, on_delete) -> models.ForeignKey:
    """A link to one party of the center's work (a group, a business or a department) among
    several a record may name: empty when another is set, and no reverse accessor on the party."""
    return optional_link(to, verbose_name, on_delete=on_delete, related_name="+")
