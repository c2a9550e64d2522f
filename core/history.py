"""One change history for every record: who changed what, when, from what to what.

A model keeps its history with django-simple-history (`history = HistoricalRecords()` on the
model and a migration). Who made a change is recorded by `HistoryRequestMiddleware` for every
page and the admin; a service that changes a record outside a request (a task, a command) names
the person with `record_by()`. Bulk writes (`QuerySet.update`, `bulk_create`) record nothing:
the first row a record has may then be a change, not its creation, and is only the starting
point of the next change.

`history_entries()` turns the historical rows of one or more records into entries people read:
who (氏名, never an e-mail address), when (Japan time), and for each field its label and the old
and new value (choices by their label, related records by their name, long text shortened).
It reads a fixed number of queries whatever the number of rows: the rows with their users, one
per many-to-many field, one per related model whose value changed. The template
`core/_history.html` shows them. Who may read a record's history is decided by each app's rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

# How many changes a history shows (the newest).
ENTRY_LIMIT = 50
# Long text is shortened to this many characters.
TEXT_LIMIT = 120
# Saves of one record by one person this close together are one change (a service saves the
# fields and then sets the themes: two rows, one change for the person reading).
SAME_CHANGE = dt.timedelta(seconds=5)
# Bookkeeping that changes with every save, not something a person changed.
NEVER_SHOWN = frozenset({"created_at", "updated_at", "search_text"})


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str  # 作成 / 変更 / 削除
    subject: str  # which record, when a history shows several (the sessions of an event)
    reason: str
    changes: tuple[FieldChange, ...]
    is_creation: bool = False
    is_deletion: bool = False


@dataclass(frozen=True)
class HistorySource:
    """The historical rows of one record or of a set of records, and how to show them.

    records: e.g. `project.history.all()`, or `EventSession.history.filter(event_id=event.pk)`
    (deleted sessions included). subject(row) names the record of a row when the history shows
    several records. exclude: fields not shown. display: field name → value → text, for values
    only the app knows how to put in words.
    """

    records: QuerySet
    subject: Callable[[object], str] | None = None
    exclude: tuple[str, ...] = ()
    display: dict[str, Callable[[object], str]] = field(default_factory=dict)


def record_by(instance: models.Model, user, reason: str = "") -> None:
    """Names who makes the next save of `instance` (and why), for changes made outside a request
    (a task, a command); in a request the middleware records the signed-in person."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    if reason:
        instance._change_reason = reason[:100]


def person_label(user) -> str:
    """A person as a history names them: 氏名, never the e-mail address."""
    if user is None:
        return _("（システム）")
    return user.full_name or _("氏名未登録の利用者（No.%(id)s）") % {"id": user.pk}


def history_entries(
    *sources: HistorySource | QuerySet | models.Model, limit: int = ENTRY_LIMIT
) -> list[HistoryEntry]:
    """The newest `limit` changes of the sources' records, newest first."""
    entries: list[HistoryEntry] = []
    for source in sources:
        if isinstance(source, models.Model):
            source = HistorySource(records=source.history.all())
        elif not isinstance(source, HistorySource):
            source = HistorySource(records=source)
        entries.extend(_entries_of(source, limit))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


# --- Internals -------------------------------------------------------------------------------------


@dataclass
class _Pending:
    """An entry whose values still need the names of related records."""

    when: dt.datetime
    user: object
    kind: str
    subject: str
    reason: str
    raw_changes: list[tuple[models.Field, object, object]]


def _entries_of(source: HistorySource, limit: int) -> list[HistoryEntry]:
    history_model = source.records.model
    original = history_model.instance_type
    pk_name = original._meta.pk.attname
    fields = [
        f
        for f in history_model.tracked_fields
        if not f.primary_key and f.editable and f.name not in NEVER_SHOWN and f.name not in source.exclude
    ]
    m2m_fields = [
        f for f in getattr(history_model, "_history_m2m_fields", []) if f.name not in source.exclude
    ]
    rows = list(
        source.records.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    rows.reverse()
    snapshots = {f.name: _m2m_snapshots(f, rows) for f in m2m_fields}

    by_record: dict[object, list] = defaultdict(list)
    for row in rows:
        by_record[getattr(row, pk_name)].append(row)

    pending: list[_Pending] = []
    for record_rows in by_record.values():
        previous = None
        if record_rows[0].history_type != "+":
            # The first row we have is not the creation (an older change, or a bulk import):
            # it is only the starting point of the next change.
            previous = record_rows.pop(0)
        for cluster in _clusters(record_rows):
            first, last = cluster[0], cluster[-1]
            reason = next((r.history_change_reason for r in cluster if r.history_change_reason), "") or ""
            subject = source.subject(last) if source.subject else ""
            if first.history_type == "+":
                pending.append(_Pending(first.history_date, first.history_user, "+", subject, reason, []))
            elif last.history_type == "-":
                pending.append(_Pending(last.history_date, last.history_user, "-", subject, reason, []))
            elif previous is not None:
                changes = [
                    (f, getattr(previous, f.attname), getattr(last, f.attname))
                    for f in fields
                    if getattr(previous, f.attname) != getattr(last, f.attname)
                ]
                for f in m2m_fields:
                    old = snapshots[f.name].get(previous.history_id, frozenset())
                    new = snapshots[f.name].get(last.history_id, frozenset())
                    if old != new:
                        changes.append((f, old, new))
                if changes:
                    pending.append(
                        _Pending(first.history_date, first.history_user, "~", subject, reason, changes)
                    )
            previous = last

    names = _related_names(
        [(f, value) for entry in pending for f, old, new in entry.raw_changes for value in (old, new)]
    )
    kinds = {"+": _("作成"), "~": _("変更"), "-": _("削除")}
    return [
        HistoryEntry(
            when=timezone.localtime(entry.when),
            who=person_label(entry.user),
            kind=kinds[entry.kind],
            subject=entry.subject,
            reason=entry.reason,
            changes=tuple(
                FieldChange(
                    label=str(f.verbose_name),
                    old=_display(f, old, names, source.display),
                    new=_display(f, new, names, source.display),
                )
                for f, old, new in entry.raw_changes
            ),
            is_creation=entry.kind == "+",
            is_deletion=entry.kind == "-",
        )
        for entry in pending
    ]


def _clusters(rows: list) -> Iterable[list]:
    """Consecutive rows of one record by one person within SAME_CHANGE: one change each."""
    cluster: list = []
    for row in rows:
        if cluster and (
            row.history_user_id != cluster[0].history_user_id
            or row.history_date - cluster[-1].history_date > SAME_CHANGE
            or row.history_type == "+"
            or cluster[-1].history_type == "-"
        ):
            yield cluster
            cluster = []
        cluster.append(row)
    if cluster:
        yield cluster


def _m2m_snapshots(m2m_field: models.ManyToManyField, rows: list) -> dict[int, frozenset]:
    """history_id → the ids the field held at that row, in one query."""
    from simple_history.models import HistoricalRecords
    from simple_history.utils import get_m2m_reverse_field_name

    if not rows:
        return {}
    history_m2m = HistoricalRecords.m2m_models[m2m_field]
    target = get_m2m_reverse_field_name(m2m_field)
    found: dict[int, set] = defaultdict(set)
    for history_id, target_id in history_m2m.objects.filter(
        history__in=[r.history_id for r in rows]
    ).values_list("history", target):
        found[history_id].add(target_id)
    return {history_id: frozenset(ids) for history_id, ids in found.items()}


def _related_model(f: models.Field):
    return f.related_model if (f.many_to_one or f.one_to_one or f.many_to_many) else None


def _related_names(values: list[tuple[models.Field, object]]) -> dict[tuple[type, object], str]:
    """The names of the related records the changes mention: one query per related model."""
    wanted: dict[type, set] = defaultdict(set)
    for f, value in values:
        model = _related_model(f)
        if model is None or value in (None, ""):
            continue
        if f.many_to_many:
            wanted[model].update(value)
        else:
            wanted[model].add(value)
    user_model = get_user_model()
    names: dict[tuple[type, object], str] = {}
    for model, ids in wanted.items():
        queryset = model._base_manager.filter(pk__in=ids)
        if model is user_model:
            names.update({(model, user.pk): person_label(user) for user in queryset})
        else:
            # select_related(): names built from a required related record (審査段階 → 募集) need no
            # query of their own.
            names.update({(model, obj.pk): str(obj) for obj in queryset.select_related()})
    return names


def _display(f: models.Field, value, names: dict, display: dict) -> str:
    if f.name in display:
        return str(display[f.name](value))
    if value is None or value == "" or value == [] or value == frozenset():
        return _("（なし）")
    model = _related_model(f)
    if model is not None:
        if f.many_to_many:
            return "、".join(sorted(_name_of(model, pk, names) for pk in value))
        return _name_of(model, value, names)
    if f.flatchoices:
        return _shorten(str(dict(f.flatchoices).get(value, value)))
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return _shorten("、".join(str(item) for item in value))
    return _shorten(str(value))


def _name_of(model, pk, names: dict) -> str:
    return names.get((model, pk)) or _("（削除済み No.%(id)s）") % {"id": pk}


def _shorten(text: str) -> str:
    return Truncator(text).chars(TEXT_LIMIT)
