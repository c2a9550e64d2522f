"""Writes for consultations. Every write that touches a consultation also writes the access log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import (
    AccessAction,
    Consultation,
    ConsultationAccessLog,
    ConsultationStatus,
    FollowUp,
    Referral,
    ReferralResult,
    Topic,
)
from core.history import record_by
from core.models import Person, Theme, User
from core.pagecache import bump
from core.services import guest_person_create, save_validated

ANONYMISED_TEXT = gettext_lazy("（保存期間を過ぎたため匿名化しました）")


def _ids(records: Iterable[Consultation | int]) -> list[int]:
    ids = [r if isinstance(r, int) else r.pk for r in records]
    return sorted(set(ids))


# Query parameters whose values are typed by staff and may name a person ("山田さん"): the log keeps
# that a keyword was used, not the keyword, because its lines can never be deleted.
FREE_TEXT_PARAMETERS = frozenset({"q", "group_name", "name"})
MASKED_VALUE = "***"


def without_free_text(path: str) -> str:
    """The path with the values of free-text search parameters masked; filters and pages kept."""
    prefix, question, query = path.partition("?")
    if not question:
        return path
    pairs = [
        (key, MASKED_VALUE if key in FREE_TEXT_PARAMETERS and value else value)
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{prefix}?{urlencode(pairs, safe='*')}" if pairs else prefix


def access_log_write(
    *, user: User | None, action: str, consultations: Iterable[Consultation | int], path: str = ""
) -> ConsultationAccessLog:
    """Appends one line to the access log: who, when, what, and which consultations."""
    ids = _ids(consultations)
    label = ""
    if user is not None and getattr(user, "is_authenticated", False):
        # The name as lists show it (「（氏名未登録）」 when there is none), the address beside it.
        label = f"{user} <{user.email}>"
    else:
        user = None
        label = _("システム（自動処理）")
    entry = ConsultationAccessLog(
        user=user,
        user_label=label[:254],
        action=action,
        consultation_ids=ids,
        record_count=len(ids),
        path=without_free_text(path)[:300],
    )
    # The user is the one making the request (or none): checking that the row exists would cost
    # every page that shows consultations one more query.
    entry.full_clean(exclude=["user"])
    if action == AccessAction.VIEW and _view_log_may_commit_asynchronously():
        # A page view's line, in a transaction of its own: PostgreSQL commits it without waiting
        # for the disk (synchronous_commit off, for this transaction only). It is on disk within
        # a fraction of a second; a crash of the database server in that moment could lose it,
        # never corrupt anything. Changes and exports keep waiting for the disk.
        _insert_without_waiting_for_the_disk(entry)
    else:
        entry.save()
    return entry


ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF"


def _insert_without_waiting_for_the_disk(entry: ConsultationAccessLog) -> None:
    """The setting and the INSERT in one message: PostgreSQL runs the statements of one message as
    one transaction, so the setting lasts until its commit. One round trip to the database, where
    a transaction block took four (BEGIN, SET LOCAL, INSERT, COMMIT): the line is written on every
    page that shows consultations, most of them otherwise answered from the cache.

    Needs the client-side binding of Django's psycopg cursors (the default); with server-side
    binding (OPTIONS server_side_binding) a message holds one statement, so the block is used."""
    if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ASYNC_COMMIT)
            entry.save()
        return
    meta = entry._meta
    query = InsertQuery(type(entry))
    query.insert_values([f for f in meta.local_concrete_fields if not f.primary_key], [entry])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"{ASYNC_COMMIT}; {sql}", params)
        cursor.cursor.nextset()  # past the SET's result to the INSERT's
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False


def _view_log_may_commit_asynchronously() -> bool:
    """On PostgreSQL, outside any transaction of the caller's (whose own writes must wait for the
    disk), unless settings.CONSULTATION_VIEW_LOG_DURABLE asks every view line to wait too."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and not settings.CONSULTATION_VIEW_LOG_DURABLE
    )


@transaction.atomic
def consultations_move_person(*, keep: Person, duplicate: Person, by: User | None) -> int:
    """Relinks the duplicate's consultations to the kept person; the access log records it."""
    ids = list(Consultation.objects.filter(person=duplicate).values_list("pk", flat=True))
    if ids:
        Consultation.objects.filter(pk__in=ids).update(person=keep)
        _changed_in_bulk()
        access_log_write(
            user=by,
            action=AccessAction.CHANGE,
            consultations=ids,
            path=_("相談者の統合: No.%(duplicate)s → No.%(keep)s")
            % {"duplicate": duplicate.pk, "keep": keep.pk},
        )
    return len(ids)


# The fields of the record form, which consultation_create and consultation_update take by name.
CHANGEABLE_FIELDS = (
    "consulted_on",
    "channel",
    "duration_minutes",
    "staff",
    "group",
    "person",
    "is_anonymous",
    "question",
    "answer",
    "status",
)


def _record_save(
    consultation: Consultation,
    *,
    actor: User,
    fields: dict,
    topics: Iterable[Topic] | None,
    themes: Iterable[Theme] | None,
    new_person: dict[str, str] | None,
) -> None:
    """Sets the record's fields, validates and saves it, then its topics and themes (None leaves
    them as they are). `new_person` (name, name_kana, phone) creates the guest record in the same
    transaction, so a refused record leaves no stray person behind."""
    unknown = set(fields) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown consultation fields {sorted(unknown)}")
    if topics is not None:
        topics = list(topics)
        if not topics:
            raise ValidationError({"topics": _("相談の分野を1つ以上選んでください。")})
    if fields.get("person") is None and new_person and new_person.get("name", "").strip():
        fields["person"] = guest_person_create(**new_person)
    for name, value in fields.items():
        setattr(consultation, name, value)
    consultation.full_clean()
    record_by(consultation, actor)
    consultation.save()
    if topics is not None:
        consultation.topics.set(topics)
    if themes is not None:
        consultation.themes.set(list(themes))


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    topics: Iterable[Topic],
    themes: Iterable[Theme] = (),
    follow_up_due_on: dt.date | None = None,
    follow_up_description: str = "",
    new_person: dict[str, str] | None = None,
    path: str = "",
    **fields,
) -> Consultation:
    """Records a consultation of the given CHANGEABLE_FIELDS (staff, consulted_on and question at
    least; the others have the model's defaults). A follow-up to do leaves it 対応中."""
    if follow_up_due_on:
        fields["status"] = ConsultationStatus.OPEN
    consultation = Consultation(created_by=actor)
    _record_save(
        consultation, actor=actor, fields=fields, topics=topics, themes=themes, new_person=new_person
    )
    if follow_up_due_on:
        _follow_up_add(
            consultation=consultation,
            due_on=follow_up_due_on,
            owner=consultation.staff,
            description=follow_up_description,
        )
    access_log_write(user=actor, action=AccessAction.CREATE, consultations=[consultation], path=path)
    return consultation


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    actor: User,
    topics: Iterable[Topic] | None = None,
    themes: Iterable[Theme] | None = None,
    related_events: Iterable | None = None,
    related_projects: Iterable | None = None,
    new_person: dict[str, str] | None = None,
    path: str = "",
    **fields,
) -> Consultation:
    if consultation.is_anonymised:
        raise ValidationError(_("匿名化した相談記録は変更できません。"))
    _record_save(
        consultation, actor=actor, fields=fields, topics=topics, themes=themes, new_person=new_person
    )
    if related_events is not None:
        consultation.related_events.set(list(related_events))
    if related_projects is not None:
        consultation.related_projects.set(list(related_projects))
    access_log_write(user=actor, action=AccessAction.CHANGE, consultations=[consultation], path=path)
    return consultation


@transaction.atomic
def referral_create(
    *,
    consultation: Consultation,
    actor: User,
    department=None,
    group=None,
    business=None,
    note: str = "",
    path: str = "",
) -> Referral:
    referral = Referral(
        consultation=consultation, department=department, group=group, business=business, note=note
    )
    save_validated(referral)
    access_log_write(user=actor, action=AccessAction.CHANGE, consultations=[consultation], path=path)
    return referral


@transaction.atomic
def referral_record_result(
    *,
    referral: Referral,
    actor: User,
    result: str,
    result_note: str = "",
    recorded_on: dt.date | None = None,
    path: str = "",
) -> Referral:
    referral.result = result
    referral.result_note = result_note
    referral.result_recorded_on = (
        None if result == ReferralResult.PENDING else (recorded_on or timezone.localdate())
    )
    save_validated(referral)
    access_log_write(
        user=actor, action=AccessAction.CHANGE, consultations=[referral.consultation_id], path=path
    )
    return referral


def _follow_up_add(*, consultation: Consultation, due_on: dt.date, owner: User, description: str) -> FollowUp:
    follow_up = FollowUp(consultation=consultation, due_on=due_on, owner=owner, description=description)
    save_validated(follow_up)
    return follow_up


@transaction.atomic
def follow_up_create(
    *,
    consultation: Consultation,
    actor: User,
    due_on: dt.date,
    owner: User,
    description: str = "",
    path: str = "",
) -> FollowUp:
    follow_up = _follow_up_add(consultation=consultation, due_on=due_on, owner=owner, description=description)
    if consultation.status != ConsultationStatus.OPEN:
        consultation.status = ConsultationStatus.OPEN
        consultation.save(update_fields=["status", "updated_at"])
    access_log_write(user=actor, action=AccessAction.CHANGE, consultations=[consultation], path=path)
    return follow_up


@transaction.atomic
def follow_up_complete(
    *, follow_up: FollowUp, actor: User, done_on: dt.date | None = None, path: str = ""
) -> FollowUp:
    """Marks the follow-up done; the consultation is closed when nothing is left to follow up.
    A follow-up already done keeps the day it was done (a second click, another tab)."""
    if follow_up.done:
        return follow_up
    follow_up.done = True
    follow_up.done_on = done_on or timezone.localdate()
    save_validated(follow_up)
    consultation = follow_up.consultation
    if (
        not consultation.follow_ups.filter(done=False).exists()
        and consultation.status == ConsultationStatus.OPEN
    ):
        consultation.status = ConsultationStatus.CLOSED
        consultation.save(update_fields=["status", "updated_at"])
    access_log_write(user=actor, action=AccessAction.CHANGE, consultations=[consultation], path=path)
    return follow_up


def retention_cutoff(*, today: dt.date | None = None, years: int | None = None) -> dt.date:
    """Consultations dated before this day are past the retention period."""
    today = today or timezone.localdate()
    years = settings.CONSULTATION_RETENTION_YEARS if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@transaction.atomic
def consultations_anonymise_expired(
    *, today: dt.date | None = None, years: int | None = None, actor: User | None = None, path: str = ""
) -> int:
    """Removes the personal fields of consultations older than the retention period.

    What identifies or describes a person goes: the person, what was asked and answered, the
    notes of referrals and follow-ups, and the person's own record when it was a guest record
    (no account) that nothing else refers to any more. What the statistics count stays: date, duration,
    channel, topics, themes, staff, the group (an organisation), referral targets and results.
    Idempotent: records already anonymised are left alone. Returns how many were anonymised.
    """
    cutoff = retention_cutoff(today=today, years=years)
    expired = Consultation.objects.expired(before=cutoff)
    ids = list(expired.values_list("pk", flat=True))
    if not ids:
        return 0
    person_ids = set(expired.exclude(person=None).values_list("person_id", flat=True))
    now = timezone.now()
    # Plain UPDATEs: the statistics fields are untouched and save() is not needed per row.
    expired.update(
        person=None,
        is_anonymous=True,
        question=str(ANONYMISED_TEXT),
        answer="",
        search_text="",
        anonymised_at=now,
    )
    done = Consultation.objects.filter(anonymised_at=now)
    # The change history keeps earlier versions of the same fields: they go the same way.
    Consultation.history.filter(id__in=ids).update(
        person=None, is_anonymous=True, question=str(ANONYMISED_TEXT), answer="", anonymised_at=now
    )
    Referral.objects.filter(consultation__in=done).update(note="", result_note="")
    _changed_in_bulk()
    FollowUp.objects.filter(consultation__in=done).update(description="")
    _delete_unreferenced_guests(person_ids)
    access_log_write(
        user=actor, action=AccessAction.ANONYMISE, consultations=ids, path=path or "anonymise_consultations"
    )
    return len(ids)


def _changed_in_bulk() -> None:
    """An UPDATE sends no post_save: what the pages keep under the consultations' version (the
    list's rows name the person) is read again once the change commits (core.pagecache)."""
    transaction.on_commit(lambda: bump("consultations"))


def _delete_unreferenced_guests(person_ids: set[int]) -> int:
    """Deletes guest Person records (no account) that no row of any app refers to any more.

    One query per relation pointing at Person, whatever the number of people; a person still
    linked to anything (a recent consultation, an event registration, a merge) is kept.
    """
    if not person_ids:
        return 0
    referenced: set[int] = set()
    for relation in Person._meta.related_objects:
        field_name = relation.field.name
        rows = relation.related_model._base_manager.filter(**{f"{field_name}__in": person_ids})
        referenced.update(rows.values_list(field_name, flat=True))
    orphans = Person.objects.filter(pk__in=person_ids - referenced, user__isnull=True)
    deleted, _per_model = orphans.delete()
    return deleted
