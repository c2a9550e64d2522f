"""Writes of the info app: grants, saved searches, and the digests of new matches."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Area, Theme, User, absolute_url
from core.outbox import outbox_enqueue_many
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
    grant.full_clean()
    grant.save()
    if themes is not None:
        grant.themes.set(themes)
    if areas is not None:
        grant.areas.set(areas)
    return grant


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
    search = SavedSearch(
        user=user,
        kind=kind,
        name=name,
        query=clean_query(query),
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

    Work grows with the number of distinct (list, filters) pairs, not with the number of saved
    searches: the new items of each list are read once, and each distinct filter once.
    Returns how many digests were queued.
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
    # New items per list since its oldest search was checked.
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
    per_user: dict[int, list[tuple[SavedSearch, list[int]]]] = defaultdict(list)
    for search in searches:
        candidates = new[search.kind]
        if not candidates:
            continue
        key = (search.kind, search.query)
        if key not in matches:
            matches[key] = sources[search.kind].matching(QueryDict(search.query), candidates.keys())
        fresh = sorted(pk for pk in matches[key] if candidates[pk] > search.checked_at)
        if fresh:
            per_user[search.user_id].append((search, fresh))
    sent_before: set[tuple[int, str, int]] = set()
    for kind, candidates in new.items():
        if candidates:
            sent_before |= set(
                AlertDelivery.objects.filter(
                    kind=kind, object_id__in=list(candidates), user_id__in=list(per_user)
                ).values_list("user_id", "kind", "object_id")
            )
    # Titles and addresses of every new item, read once per list (not once per person).
    described: dict[str, dict[int, tuple[str, str]]] = {}
    for kind in new:
        wanted = {
            pk for hits in per_user.values() for search, ids in hits if search.kind == kind for pk in ids
        }
        if wanted:
            described[kind] = {
                pk: (title, absolute_url(path)) for pk, title, path in sources[kind].describe(sorted(wanted))
            }
    sent = 0
    people = list(per_user.items())
    list_urls = {kind: absolute_url(reverse(source.list_url_name)) for kind, source in sources.items()}
    mypage_url = absolute_url(reverse("info:search_list"))
    for start in range(0, len(people), DIGEST_BATCH):
        prepared = []
        for user_id, hits in people[start : start + DIGEST_BATCH]:
            try:
                digest = _digest_prepare(
                    hits=hits,
                    sources=sources,
                    described=described,
                    sent_before=sent_before,
                    list_urls=list_urls,
                    mypage_url=mypage_url,
                )
            except Exception:
                # One person's failure (a bad row, a template error) must not stop the others.
                logger.exception("saved-search digest failed for user %s", user_id)
                continue
            if digest is not None:
                prepared.append((user_id, digest))
        sent += _digests_write(prepared)
    SavedSearch.objects.filter(frequency=frequency, is_active=True, checked_at__lt=now).update(checked_at=now)
    return sent


def _digests_write(prepared: list[tuple[int, tuple[dict, list[AlertDelivery]]]]) -> int:
    """Writes a batch of digests and what they deliver in two INSERTs (one transaction); when
    the batch is refused, each person on their own, so one bad row stops only its digest."""
    if not prepared:
        return 0
    try:
        with transaction.atomic():
            AlertDelivery.objects.bulk_create([row for _user, (_m, rows) in prepared for row in rows])
            outbox_enqueue_many([message for _user, (message, _rows) in prepared])
        return len(prepared)
    except Exception:
        logger.warning("saved-search digests: a batch was refused, writing them one by one")
    sent = 0
    for user_id, (message, rows) in prepared:
        try:
            with transaction.atomic():
                AlertDelivery.objects.bulk_create(rows)
                outbox_enqueue_many([message])
            sent += 1
        except Exception:
            logger.exception("saved-search digest failed for user %s", user_id)
    return sent


def _digest_prepare(
    *, hits, sources, described, sent_before: set, list_urls: dict, mypage_url: str
) -> tuple[dict, list[AlertDelivery]] | None:
    """The digest mail of one person and the deliveries it records, or None when nothing is new."""
    user = hits[0][0].user
    sections = []
    deliveries = []
    seen: set[tuple[str, int]] = set()
    for search, ids in hits:
        ids = [
            pk
            for pk in ids
            if (user.pk, search.kind, pk) not in sent_before and (search.kind, pk) not in seen
        ]
        if not ids:
            continue
        seen |= {(search.kind, pk) for pk in ids}
        titles = described.get(search.kind, {})
        items = [titles[pk] for pk in ids if pk in titles]
        list_url = list_urls[search.kind]
        sections.append(
            {
                "search": search,
                "label": sources[search.kind].label,
                "items": items[:ITEMS_PER_SECTION],
                "more": max(0, len(items) - ITEMS_PER_SECTION),
                "url": f"{list_url}?{search.query}" if search.query else list_url,
            }
        )
        deliveries += [
            AlertDelivery(user_id=user.pk, saved_search=search, kind=search.kind, object_id=pk) for pk in ids
        ]
    if not deliveries:
        return None
    unsubscribe_url = absolute_url(reverse("info:unsubscribe", args=[unsubscribe_token(user)]))
    body = render_to_string(
        "info/email/digest.txt",
        {
            "user": user,
            "sections": sections,
            "unsubscribe_url": unsubscribe_url,
            "mypage_url": mypage_url,
            "center_name": settings.CENTER_NAME,
            "center_phone": settings.CENTER_PHONE,
            "center_email": settings.CENTER_EMAIL,
        },
    )
    count = len(deliveries)
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


@transaction.atomic
def flyer_create(
    *, group, user: User, upload, title: str, alt_text: str, display_from: dt.date, display_until: dt.date
) -> Flyer:
    """A group editor's flyer, waiting for staff; the thumbnail is made now (a PDF that cannot be
    drawn is refused here, not found broken on the rack)."""
    from django.core.files.base import ContentFile

    if not user.has_perm("info.add_flyer", group):
        raise PermissionDenied
    content_type = validate_flyer(upload)
    data = upload.read()
    try:
        thumbnail = thumbnail_png(data, content_type)
    except Exception as exc:
        raise ValidationError(
            {"file": _("ファイルを読み取れませんでした。壊れていないか確かめて、もう一度選んでください。")}
        ) from exc
    flyer = Flyer(
        group=group,
        title=title,
        alt_text=alt_text,
        content_type=content_type,
        display_from=display_from,
        display_until=display_until,
        uploaded_by=user,
    )
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
    if not staff.has_perm("info.review_flyers"):
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
