"""Writes for matching: business profiles, needs and offers, and the match pipeline."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Required, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Area, Department, Theme, User, absolute_url
from core.outbox import outbox_enqueue, outbox_enqueue_template
from core.permissions import may
from core.services import save_validated
from groups.models import Group
from matching.models import (
    MATCH_WORKFLOW,
    Business,
    BusinessStatus,
    ExchangeKind,
    Match,
    MatchStatus,
    MatchStatusChange,
    Need,
    Offer,
    PartyRef,
)

logger = logging.getLogger("kyodo")

# --- Business profiles ---------------------------------------------------------------------------

BUSINESS_FIELDS = (
    "name",
    "name_kana",
    "industry",
    "description",
    "website",
    "contact_name",
    "email",
    "phone",
)


@transaction.atomic
def business_create(
    *,
    created_by: User | None,
    name: str,
    name_kana: str,
    themes: Iterable[Theme] = (),
    areas: Iterable[Area] = (),
    **fields,
) -> Business:
    """A business profile waiting for staff approval; its creator (if any) becomes its first member."""
    business = Business(name=name, name_kana=name_kana, status=BusinessStatus.PENDING, **fields)
    save_validated(business, themes=themes, areas=areas)
    if created_by is not None:
        business.members.add(created_by)
    return business


@transaction.atomic
def business_update(
    *,
    business: Business,
    themes: Iterable[Theme] | None = None,
    areas: Iterable[Area] | None = None,
    **fields,
) -> Business:
    unknown = set(fields) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"unknown business fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(business, name, value)
    if business.status == BusinessStatus.REJECTED:
        # Corrected after a return: back to the staff queue (the reason stays until decided).
        business.status = BusinessStatus.PENDING
    return save_validated(business, themes=themes, areas=areas)


def _business_recipients(business: Business) -> list[str]:
    addresses = [business.email, *business.members.filter(is_active=True).values_list("email", flat=True)]
    return list(dict.fromkeys(address for address in addresses if address))


def _business_mail(business: Business, *, template: str, kind: str) -> None:
    """The same kind of e-mail as a group's approval or return, through the outbox."""
    recipients = _business_recipients(business)
    if not recipients:
        return
    outbox_enqueue_template(
        to=recipients,
        template=f"matching/email/{template}",
        context={
            "business": business,
            "business_url": absolute_url(business.get_absolute_url()),
            "edit_url": absolute_url(reverse("matching:business_edit", args=[business.pk])),
        },
        kind=kind,
        related=business,
    )


@transaction.atomic
def business_approve(*, business: Business, by: User | None = None) -> Business:
    """Staff approve a business: from now on it can be suggested to others; it is told by e-mail."""
    business = Business.objects.select_for_update().get(pk=business.pk)
    business.status = BusinessStatus.APPROVED
    business.status_reason = ""
    business.approved_at = business.approved_at or timezone.now()
    business.full_clean()
    business.save(
        update_fields=["status", "status_reason", "approved_at", "updated_at", "sort_key", "search_text"]
    )
    logger.info("business %s approved by %s", business.pk, getattr(by, "pk", None))
    _business_mail(business, template="business_approved", kind="matching.business_approved")
    return business


@transaction.atomic
def business_return(*, business: Business, reason: str, by: User | None = None) -> Business:
    """Staff send a business profile back (差戻し) with a reason the business sees on its page
    and receives by e-mail; it is not suggested until it is corrected and approved."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("差し戻す理由を入力してください。事業者にそのまま伝わります。")]})
    business = Business.objects.select_for_update().get(pk=business.pk)
    business.status = BusinessStatus.REJECTED
    business.status_reason = reason.strip()
    business.save(update_fields=["status", "status_reason", "updated_at", "sort_key", "search_text"])
    logger.info("business %s returned by %s", business.pk, getattr(by, "pk", None))
    _business_mail(business, template="business_returned", kind="matching.business_returned")
    return business


# --- Needs and offers ----------------------------------------------------------------------------


def _owner_fields(party) -> dict:
    ref = PartyRef.of(party)
    return {"group": None, "business": None, "department": None, ref.kind: party}


def _clean_deliverable(kind: str, deliverable: str) -> None:
    if deliverable and kind != ExchangeKind.PRO_BONO:
        raise ValidationError({"deliverable": _("成果物は、種類が「プロボノ」のときだけ選べます。")})


def _on_behalf(user: User | None, party) -> bool:
    """Staff entering for a party they do not themselves act for."""
    from matching.selectors import user_can_act_for

    return bool(
        user is not None and may(user, "matching.post_for_any_party") and not user_can_act_for(user, party)
    )


class ItemFields(TypedDict, total=False):
    """What a need or an offer says (the same for both)."""

    title: Required[str]
    kind: Required[str]
    deliverable: str
    description: str
    themes: Iterable[Theme]
    areas: Iterable[Area]


def _item_data(fields: ItemFields) -> tuple[dict, Iterable[Theme], Iterable[Area]]:
    """The fields of a need or an offer with their defaults, checked; its themes and areas apart."""
    unknown = set(fields) - set(ItemFields.__annotations__)
    if unknown:
        raise TypeError(f"unknown fields of a need or an offer: {sorted(unknown)}")
    data = {"deliverable": "", "description": "", **fields}
    themes, areas = data.pop("themes", ()), data.pop("areas", ())
    _clean_deliverable(data["kind"], data["deliverable"])
    return data, themes, areas


@transaction.atomic
def _item_create(model, *, party, by: User | None = None, **fields: Unpack[ItemFields]):
    data, themes, areas = _item_data(fields)
    item = model(**data, entered_by=by, entered_on_behalf=_on_behalf(by, party), **_owner_fields(party))
    return save_validated(item, themes=themes, areas=areas)


@transaction.atomic
def _item_update(item, *, by: User | None = None, **fields: Unpack[ItemFields]):
    data, themes, areas = _item_data(fields)
    for name, value in data.items():
        setattr(item, name, value)
    if by is not None:
        item.updated_on_behalf = _on_behalf(by, item.party)
    return save_validated(item, themes=themes, areas=areas)


def need_create(
    *, party: Group | Business | Department, by: User | None = None, **fields: Unpack[ItemFields]
) -> Need:
    """ニーズ of a group, a business or a department, open from the start."""
    return _item_create(Need, party=party, by=by, **fields)


def need_update(*, need: Need, by: User | None = None, **fields: Unpack[ItemFields]) -> Need:
    return _item_update(need, by=by, **fields)


def offer_create(
    *, party: Group | Business | Department, by: User | None = None, **fields: Unpack[ItemFields]
) -> Offer:
    """提供 of a group, a business or a department, open from the start."""
    return _item_create(Offer, party=party, by=by, **fields)


def offer_update(*, offer: Offer, by: User | None = None, **fields: Unpack[ItemFields]) -> Offer:
    return _item_update(offer, by=by, **fields)


@transaction.atomic
def item_set_open(*, item: Need | Offer, is_open: bool) -> Need | Offer:
    """Closes (締め切る) or reopens a need or an offer. Closed ones are never suggested."""
    item.is_open = is_open
    item.save(update_fields=["is_open", "updated_at"])
    return item


# --- Matches -------------------------------------------------------------------------------------


def _side_fields(party, side: str) -> dict:
    ref = PartyRef.of(party)
    fields = {f"group_{side}": None, f"business_{side}": None, f"department_{side}": None}
    fields[f"{ref.kind}_{side}"] = party
    return fields


def match_proposed(
    *, party_a, party_b, suggestion, created_by, created_at, need=None, offer=None, note="", **links
) -> Match:
    """An unsaved match in state 提案 with its score: what match_create saves (and the demo's bulk
    load of past matches, which checks nothing)."""
    return Match(
        **_side_fields(party_a, "a"),
        **_side_fields(party_b, "b"),
        need=need,
        offer=offer,
        score=suggestion.score if suggestion else 0,
        reasons=list(suggestion.reasons) if suggestion else [],
        status=MatchStatus.PROPOSED,
        status_changed_at=created_at,
        note=note,
        created_by=created_by,
        created_at=created_at,
        **links,
    )


def _refuse_parties_not_taking_part(*parties) -> None:
    """Only a registered group, an approved business and a department in use are matched or
    introduced (the same rule as the suggestions): the others' pages are hidden, and a group that
    has left the center or a business not yet approved must not be e-mailed about a partner."""
    from matching.selectors import party_is_eligible

    for party in parties:
        if party_is_eligible(party):
            continue
        if isinstance(party, Department):
            raise ValidationError(
                _("「%(party)s」は使われていない担当課のため、マッチング・紹介はできません。")
                % {"party": party}
            )
        raise ValidationError(
            _("「%(party)s」は「%(status)s」のため、マッチング・紹介はできません。")
            % {"party": party, "status": party.get_status_display()}
        )


@transaction.atomic
def match_create(
    *,
    party_a,
    party_b,
    created_by: User | None,
    need: Need | None = None,
    offer: Offer | None = None,
    note: str = "",
    program=None,
    origin_event=None,
    origin_consultation=None,
    created_at=None,
) -> Match:
    """A match in state 提案 between two parties, scored now by matching.scoring.

    Refused when the two are the same party, when either does not take part (a group not
    registered, a business not approved, a department not in use), when the need or offer
    belongs to neither, or when the two already have a match in progress.
    """
    from matching.selectors import suggestion_between

    ref_a, ref_b = PartyRef.of(party_a), PartyRef.of(party_b)
    if ref_a == ref_b:
        raise ValidationError(_("同じ相手どうしはマッチングできません。"))
    _refuse_parties_not_taking_part(party_a, party_b)
    for item in (need, offer):
        if item is not None and PartyRef.of(item.party) not in (ref_a, ref_b):
            raise ValidationError(_("ニーズ・提供は、マッチングする相手のものを選んでください。"))
    in_progress = (
        Match.objects.involving(ref_a)
        .filter(ref_b.owner_filter("_a") | ref_b.owner_filter("_b"))
        .exclude(status__in=[MatchStatus.CONCLUDED, MatchStatus.DECLINED])
    )
    if in_progress.exists():
        raise ValidationError(_("この2者のマッチングはすでに進行中です。"))
    now = created_at or timezone.now()
    match = match_proposed(
        party_a=party_a,
        party_b=party_b,
        suggestion=suggestion_between(ref_a, ref_b),
        created_by=created_by,
        created_at=now,
        need=need,
        offer=offer,
        note=note,
        program=program,
        origin_event=origin_event,
        origin_consultation=origin_consultation,
    )
    save_validated(match)
    MatchStatusChange.objects.create(
        match=match,
        from_status="",
        to_status=MatchStatus.PROPOSED,
        changed_by=created_by,
        changed_at=now,
        note=note,
    )
    return match


@transaction.atomic
def match_transition(
    *, match: Match, to_status: str, by: User | None, note: str = "", at=None, notify: bool = True
) -> Match:
    """Moves a match one step along 提案 → 紹介済 → 協議中 → 成立 / 不成立, or refuses.

    紹介済 is refused while either party does not take part (see match_create). Moving to 紹介済
    e-mails both parties after the transaction commits (unless ``notify`` is
    False: demo data and imports of past matches). ``at`` records a past date for the change.
    """
    match = Match.objects.select_for_update().get(pk=match.pk)
    MATCH_WORKFLOW.apply(match.status, to_status)
    if to_status == MatchStatus.INTRODUCED:
        _refuse_parties_not_taking_part(match.party_a, match.party_b)
    now = at or timezone.now()
    MatchStatusChange.objects.create(
        match=match, from_status=match.status, to_status=to_status, changed_by=by, changed_at=now, note=note
    )
    match.status = to_status
    match.status_changed_at = now
    if note and note not in match.note:
        match.note = f"{match.note}\n{note}".strip() if match.note else note
    match.save(update_fields=["status", "status_changed_at", "note"])
    if to_status == MatchStatus.INTRODUCED and notify:
        match_send_introduction_mail(match=match)
    return match


def match_introduce(*, match: Match, by: User | None, note: str = "") -> Match:
    """紹介: staff introduce the two parties to each other, with a note for both."""
    return match_transition(match=match, to_status=MatchStatus.INTRODUCED, by=by, note=note)


def party_recipients(party) -> list[str]:
    """Who hears about an introduction: the party's contact address and its members' active
    accounts (a closed account hears nothing, as with a business's approval mail)."""
    if isinstance(party, Group):
        accounts = list(party.memberships.filter(user__is_active=True).values_list("user__email", flat=True))
    elif isinstance(party, Business):
        accounts = list(party.members.filter(is_active=True).values_list("email", flat=True))
    else:
        accounts = list(party.officials.filter(is_active=True).values_list("email", flat=True))
    found: list[str] = []
    for address in [getattr(party, "email", ""), *accounts]:
        if address and address not in found:
            found.append(address)
    return found


@transaction.atomic
def match_send_introduction_mail(*, match: Match) -> Match:
    """Puts the introduction e-mails to both parties in the outbox (sent after commit; its page
    shows whether they went out). A party without any address is recorded on the match, and
    nothing is sent until staff fix it and send again. Refused, as the introduction itself is,
    when either party no longer takes part (a group that left, a department not in use): a
    resend comes later and must check again."""
    match = Match.objects.with_parties().get(pk=match.pk)
    _refuse_parties_not_taking_part(match.party_a, match.party_b)
    intro_note = (
        match.history.filter(to_status=MatchStatus.INTRODUCED)
        .order_by("-changed_at")
        .values_list("note", flat=True)
    ).first() or ""
    pairs = ((match.party_a, match.party_b), (match.party_b, match.party_a))
    recipients = {id(party): party_recipients(party) for party, _partner in pairs}
    missing = [party for party, _partner in pairs if not recipients[id(party)]]
    if missing:
        error = _("%(party)s にメールアドレスがありません。") % {"party": missing[0]}
        Match.objects.filter(pk=match.pk).update(mail_error=error)
        match.refresh_from_db()
        return match
    for party, partner in pairs:
        context = {
            "party": party,
            "partner": partner,
            "partner_kind": PartyRef.of(partner).kind_label,
            "partner_url": absolute_url(_partner_path(partner)),
            "match": match,
            "note": intro_note,
            "center": settings.CENTER_NAME,
            "center_email": settings.CENTER_EMAIL,
            "center_phone": settings.CENTER_PHONE,
        }
        outbox_enqueue(
            to=recipients[id(party)],
            subject=_("「%(partner)s」をご紹介します") % {"partner": partner},
            body=render_to_string("matching/email/introduction.txt", context),
            kind="matching.introduction",
            # Replies go to the center, which connects the two parties.
            reply_to=[settings.CENTER_EMAIL],
            related=match,
        )
    Match.objects.filter(pk=match.pk).update(mail_sent_at=timezone.now(), mail_error="")
    match.refresh_from_db()
    return match


def _partner_path(party) -> str:
    from matching.selectors import party_url

    return party_url(party) or "/matching/"
