"""Writes of the info app: grants, saved searches, and the digests of new matches."""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.models import Area, Theme, User, absolute_url
from core.outbox import outbox_enqueue_many
from core.permissions import may
from core.services import save_validated
from info.flyers import thumbnail_png, validate_flyer
from info.models import AlertDelivery, Flyer, FlyerStatus, Grant, SavedSearch

logger = logging.getLogger("kyodo")

UNSUBSCRIBE_SALT = "info.saved-search.unsubscribe"
# Query parameters that are not filters: never part of a saved search.
NOT_FILTERS = frozenset({"page", "view", "month"})
# How many saved searches one person may keep (a list of them fits on マイページ).
MAX_SAVED_SEARCHES = 30
# A digest lists this many new items per search; the rest are behind the list's link.
ITEMS_PER_SECTION = 10
# People whose digests are written in one transaction.
DIGEST_BATCH = 200


# --- grants -------------------------------------------------------------------------------------


def _grant_save(grant: Grant, *, themes: Iterable[Theme] | None, areas: Iterable[Area] | None) -> Grant:
    if grant.is_published and grant.published_at is None:
        grant.published_at = timezone.now()
    return save_validated(grant, themes=themes, areas=areas)


def legal_forms_value(values: Iterable[str]) -> str:
    values = [value for value in values if value]
    return f",{','.join(values)}," if values else ""


@transaction.atomic
def grant_create(
    *,
    user: User,
    themes: Iterable[Theme] = (),
    areas: Iterable[Area] = (),
    legal_forms: Iterable[str] = (),
    **fields,
) -> Grant:
    grant = Grant(created_by=user, legal_forms=legal_forms_value(legal_forms), **fields)
    return _grant_save(grant, themes=themes, areas=areas)


@transaction.atomic
def grant_update(
    *,
    grant: Grant,
    themes: Iterable[Theme] | None = None,
    areas: Iterable[Area] | None = None,
    legal_forms: Iterable[str] | None = None,
    **fields,
) -> Grant:
    for name, value in fields.items():
        setattr(grant, name, value)
    if legal_forms is not None:
        grant.legal_forms = legal_forms_value(legal_forms)
    return _grant_save(grant, themes=themes, areas=areas)


# --- saved searches -----------------------------------------------------------------------------


def clean_query(query: str) -> str:
    """The filters of a list's query string, without paging, in a stable order."""
    params = QueryDict(query, mutable=True)
    for name in NOT_FILTERS:
        params.pop(name, None)
    kept = QueryDict(mutable=True)
    for name in sorted(params):
        values = [value for value in params.getlist(name) if value.strip()]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


@transaction.atomic
def saved_search_create(*, user: User, kind: str, name: str, query: str, frequency: str) -> SavedSearch:
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            _("保存できる検索条件は%(max)s件までです。使わなくなった条件を削除してください。")
            % {"max": MAX_SAVED_SEARCHES}
        )
    from info.sources import all_sources

    query = clean_query(query)
    source = all_sources().get(kind)
    if source is not None and not source.valid(QueryDict(query)):
        # The list answers these filters with an error (a district or theme that does not
        # exist): a digest of it would never match anything, so it is not kept.
        raise ValidationError(
            _(
                "この検索条件には正しくない項目があるため、保存できません。"
                "一覧に戻って条件を選び直してから保存してください。"
            )
        )
    search = SavedSearch(
        user=user,
        kind=kind,
        name=name,
        query=query,
        frequency=frequency,
        checked_at=timezone.now(),
    )
    search.full_clean()
    search.save()
    return search


@transaction.atomic
def saved_search_update(*, search: SavedSearch, name: str, frequency: str, is_active: bool) -> SavedSearch:
    search.name, search.frequency, search.is_active = name, frequency, is_active
    if is_active and not SavedSearch.objects.filter(pk=search.pk, is_active=True).exists():
        # Switched back on: alert about what appears from now on, not the weeks in between.
        search.checked_at = timezone.now()
    search.full_clean()
    search.save()
    return search


def saved_search_delete(*, search: SavedSearch) -> None:
    search.delete()


def unsubscribe_token(user: User) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user(token: str) -> User | None:
    """The person a signed unsubscribe link names (no expiry: an old mail's link still works)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("u")).first()


@transaction.atomic
def alerts_unsubscribe(*, user: User) -> int:
    """Stops every saved-search alert of the person (the searches stay, switched off)."""
    return SavedSearch.objects.filter(user=user, is_active=True).update(is_active=False)


# --- digests ------------------------------------------------------------------------------------


def digests_send(*, frequency: str, now: dt.datetime | None = None) -> int:
    """Sends one digest per person of the items new since each of their searches was last checked.

    Work grows with the number of distinct (list, filters) pairs and with the number of people,
    not with the number of saved searches or of new items: the new items of each list are read
    once, each distinct filter runs once over them, and each batch of people is written with a
    fixed number of queries. A digest names at most ITEMS_PER_SECTION items per search (the rest
    are counted, behind the list's link); the items it names are recorded (AlertDelivery), and
    the people's searches move forward in the same transaction as their mail, so a re-run after
    a crash sends them nothing twice. A person whose digest could not be written keeps their
    searches where they were, so the next run tries again. Returns how many digests were queued.
    """
    from info.sources import all_sources

    now = now or timezone.now()
    sources = all_sources()
    searches = list(
        SavedSearch.objects.filter(frequency=frequency, is_active=True, checked_at__lt=now)
        .select_related("user")
        .order_by("user_id", "id")
    )
    if not searches:
        return 0
    per_user = _new_matches(searches, sources=sources, now=now)
    sent_before = _sent_before(per_user)
    plans = {
        user_id: plan
        for user_id, hits in per_user.items()
        if (plan := _digest_plan(hits, sent_before.get(user_id, {})))
    }
    # Titles and addresses of the items the digests name, read once per list (not once per person).
    named: dict[str, set[int]] = defaultdict(set)
    for plan in plans.values():
        for search, shown, _count in plan:
            named[search.kind].update(shown)
    described = {
        kind: {pk: (title, absolute_url(path)) for pk, title, path in sources[kind].describe(sorted(ids))}
        for kind, ids in named.items()
    }
    context = {
        "list_urls": {kind: absolute_url(reverse(source.list_url_name)) for kind, source in sources.items()},
        "labels": {kind: source.label for kind, source in sources.items()},
        "mypage_url": absolute_url(reverse("info:search_list")),
        "template": get_template("info/email/digest.txt"),
        "described": described,
    }
    sent = 0
    failed: set[int] = set()
    people = list(plans.items())
    for start in range(0, len(people), DIGEST_BATCH):
        prepared = []
        for user_id, plan in people[start : start + DIGEST_BATCH]:
            try:
                prepared.append((user_id, _digest_prepare(plan, **context)))
            except Exception:
                # One person's failure (a bad row, a template error) must not stop the others.
                logger.exception("saved-search digest failed for user %s", user_id)
                failed.add(user_id)
        written, refused = _digests_write(prepared, frequency=frequency, now=now)
        sent += written
        failed |= refused
    # Everyone else's searches (nothing new, or all sent before) move forward too; those of people
    # whose digest failed stay, so that their new items are tried again next time.
    SavedSearch.objects.filter(frequency=frequency, is_active=True, checked_at__lt=now).exclude(
        user_id__in=failed
    ).update(checked_at=now)
    return sent


def _new_matches(searches: list[SavedSearch], *, sources: dict, now: dt.datetime) -> dict:
    """{user id: [(search, ids of the new items it matches)]}: each list's new items read once
    since its oldest search, each distinct filter run once over them (searches sharing filters
    and last-checked time share the result)."""
    oldest: dict[str, dt.datetime] = {}
    for search in searches:
        if search.kind not in oldest or search.checked_at < oldest[search.kind]:
            oldest[search.kind] = search.checked_at
    new: dict[str, dict[int, dt.datetime]] = {}
    for kind, since in oldest.items():
        source = sources.get(kind)
        new[kind] = (
            {pk: when for pk, when in source.new_items(since).items() if when <= now} if source else {}
        )
    matches: dict[tuple[str, str], set[int]] = {}
    fresh: dict[tuple[str, str, dt.datetime], frozenset[int]] = {}
    per_user: dict[int, list[tuple[SavedSearch, frozenset[int]]]] = defaultdict(list)
    for search in searches:
        candidates = new[search.kind]
        if not candidates:
            continue
        key = (search.kind, search.query)
        if key not in matches:
            matches[key] = sources[search.kind].matching(QueryDict(search.query), candidates.keys())
        since_key = (*key, search.checked_at)
        if since_key not in fresh:
            fresh[since_key] = frozenset(pk for pk in matches[key] if candidates[pk] > search.checked_at)
        if fresh[since_key]:
            per_user[search.user_id].append((search, fresh[since_key]))
    return per_user


def _sent_before(per_user: dict) -> dict[int, dict[str, set[int]]]:
    """{user id: {kind: ids}} of the new items already sent to these people: one query per list."""
    wanted: dict[str, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for user_id, hits in per_user.items():
        for search, ids in hits:
            users, items = wanted[search.kind]
            users.add(user_id)
            items.update(ids)
    sent: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for kind, (users, items) in wanted.items():
        # New items are the latest ids: a range (not thousands of ids in the query) finds what
        # was sent of them, and anything else in the range is dropped here.
        rows = AlertDelivery.objects.filter(
            kind=kind, user_id__in=sorted(users), object_id__range=(min(items), max(items))
        ).values_list("user_id", "object_id")
        for user_id, object_id in rows:
            if object_id in items:
                sent[user_id][kind].add(object_id)
    return sent


def _digest_plan(hits, sent: dict[str, set[int]]) -> list[tuple[SavedSearch, list[int], int]]:
    """One person's sections: (search, the ids it names, how many new items it has), each item
    in the first section that has it only, and none sent before."""
    plan = []
    seen: dict[str, set[int]] = defaultdict(set)
    for search, ids in hits:
        ids = ids - seen[search.kind] - sent.get(search.kind, set())
        if not ids:
            continue
        seen[search.kind] |= ids
        plan.append((search, heapq.nsmallest(ITEMS_PER_SECTION, ids), len(ids)))
    return plan


def _digests_write(
    prepared: list[tuple[int, tuple[dict, list[AlertDelivery]]]], *, frequency: str, now: dt.datetime
) -> tuple[int, set[int]]:
    """Writes a batch of digests, what they name and their searches' new checked time in one
    transaction (a fixed number of queries); when the batch is refused, each person on their own,
    so one bad row stops only its digest. Returns (digests written, people refused)."""
    if not prepared:
        return 0, set()

    def write(batch) -> None:
        with transaction.atomic():
            AlertDelivery.objects.bulk_create([row for _user, (_m, rows) in batch for row in rows])
            outbox_enqueue_many([message for _user, (message, _rows) in batch])
            SavedSearch.objects.filter(
                user_id__in=[user_id for user_id, _digest in batch],
                frequency=frequency,
                is_active=True,
                checked_at__lt=now,
            ).update(checked_at=now)

    try:
        write(prepared)
        return len(prepared), set()
    except Exception:
        logger.warning("saved-search digests: a batch was refused, writing them one by one")
    sent, refused = 0, set()
    for one in prepared:
        try:
            write([one])
            sent += 1
        except Exception:
            logger.exception("saved-search digest failed for user %s", one[0])
            refused.add(one[0])
    return sent, refused


def _digest_prepare(
    plan, *, list_urls: dict, labels: dict, mypage_url: str, template, described: dict
) -> tuple[dict, list[AlertDelivery]]:
    """The digest mail of one person and the deliveries (the items it names) it records."""
    user = plan[0][0].user
    sections = []
    deliveries = []
    count = 0
    for search, shown, new_count in plan:
        titles = described.get(search.kind, {})
        list_url = list_urls[search.kind]
        sections.append(
            {
                "search": search,
                "label": labels[search.kind],
                "items": [titles[pk] for pk in shown if pk in titles],
                "more": new_count - len(shown),
                "url": f"{list_url}?{search.query}" if search.query else list_url,
            }
        )
        deliveries += [
            AlertDelivery(user_id=user.pk, saved_search=search, kind=search.kind, object_id=pk)
            for pk in shown
        ]
        count += new_count
    unsubscribe_url = absolute_url(reverse("info:unsubscribe", args=[unsubscribe_token(user)]))
    body = template.render(
        {
            "user": user,
            "sections": sections,
            "unsubscribe_url": unsubscribe_url,
            "mypage_url": mypage_url,
            "center_name": settings.CENTER_NAME,
            "center_phone": settings.CENTER_PHONE,
            "center_email": settings.CENTER_EMAIL,
        }
    )
    message = {
        "to": [user.email],
        "subject": _("保存した検索条件の新着 %(count)s件") % {"count": count},
        "body": body,
        "kind": "info.digest",
        "related": user,
        "headers": {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }
    return message, deliveries


# --- flyers -------------------------------------------------------------------------------------


# What a group says of its flyer besides the file (the flyer form's other fields).
FLYER_FIELDS = ("title", "alt_text", "display_from", "display_until")
# A flyer's display period starts within a year from today and lasts at most a year.
FLYER_MAX_DAYS = 365


def flyer_period_check(
    *, display_from: dt.date, display_until: dt.date, today: dt.date | None = None
) -> None:
    """The display period of a new flyer starts today (the Japan date) or later, within
    FLYER_MAX_DAYS, and lasts at most FLYER_MAX_DAYS: a ValidationError by field otherwise."""
    today = today or timezone.localdate()
    latest_start = today + dt.timedelta(days=FLYER_MAX_DAYS)
    errors = {}
    if display_from < today:
        errors["display_from"] = _("掲示の開始日は今日（%(day)s）以降にしてください。") % {
            "day": formats.date_format(today, "DATE_FORMAT")
        }
    elif display_from > latest_start:
        errors["display_from"] = _("掲示の開始日は1年以内（%(day)sまで）にしてください。") % {
            "day": formats.date_format(latest_start, "DATE_FORMAT")
        }
    elif (display_until - display_from).days > FLYER_MAX_DAYS:
        errors["display_until"] = _("掲示の期間は%(days)s日までです（終了日は%(day)sまで）。") % {
            "days": FLYER_MAX_DAYS,
            "day": formats.date_format(display_from + dt.timedelta(days=FLYER_MAX_DAYS), "DATE_FORMAT"),
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def flyer_create(*, group, user: User, upload, **fields) -> Flyer:
    """A group editor's flyer with its FLYER_FIELDS, waiting for staff; the thumbnail is made now
    (a PDF that cannot be drawn is refused here, not found broken on the rack)."""
    from django.core.files.base import ContentFile

    if not may(user, "info.add_flyer", group):
        raise PermissionDenied
    flyer_period_check(display_from=fields["display_from"], display_until=fields["display_until"])
    content_type = validate_flyer(upload)
    data = upload.read()
    try:
        thumbnail = thumbnail_png(data, content_type)
    except Exception as exc:
        raise ValidationError(
            {"file": _("ファイルを読み取れませんでした。壊れていないか確かめて、もう一度選んでください。")}
        ) from exc
    flyer = Flyer(group=group, content_type=content_type, uploaded_by=user, **fields)
    flyer.file.save(upload.name, ContentFile(data), save=False)
    flyer.thumbnail.save("thumbnail.png", ContentFile(thumbnail), save=False)
    names = [flyer.file.name, flyer.thumbnail.name]
    try:
        flyer.full_clean()
        flyer.save()
    except Exception:
        for name in names:
            flyer.file.storage.delete(name)
        raise
    return flyer


@transaction.atomic
def flyer_review(*, flyer: Flyer, staff: User, approve: bool, note: str = "") -> Flyer:
    if not may(staff, "info.review_flyers"):
        raise PermissionDenied
    if not approve and not note.strip():
        raise ValidationError({"review_note": _("掲示できない理由を書いてください。団体に伝わります。")})
    flyer = Flyer.objects.select_for_update().get(pk=flyer.pk)
    flyer.status = FlyerStatus.APPROVED if approve else FlyerStatus.REJECTED
    flyer.review_note = note
    flyer.reviewed_by = staff
    flyer.reviewed_at = timezone.now()
    flyer.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    return flyer
