"""matching's contributions to shared features (see core.app_hooks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import pagecache
from core.app_hooks import (
    Figure,
    MenuEntry,
    Panel,
    PersonEntry,
    PersonSection,
    StaffMenu,
    hook,
    register,
)
from core.permissions import may
from matching import filters, selectors
from matching.models import (
    Business,
    Match,
    MatchStatus,
    PartyRef,
)

# --- Demo data -----------------------------------------------------------------------------------

# --- Benchmark -----------------------------------------------------------------------------------


# --- My page and the staff dashboard -------------------------------------------------------------


@hook("mypage_panels")
def mypage_panels(request) -> list[Panel]:
    from core.predicates import is_group_editor
    from core.workspace import has_role_workspace

    user = request.user
    businesses = list(Business.objects.filter(members=user))
    parties = selectors.user_parties(user)
    needs, offers = selectors.items_of_user(user)
    panels = []
    if businesses or not (has_role_workspace(user) or is_group_editor(user)):
        # Staff, officials, the committee and group editors see no business entrance they do not use.
        panels.append(
            Panel(
                title=gettext("企業・事業者のプロフィール"),
                template="matching/panels/business.html",
                context={"businesses": businesses},
            )
        )
    if parties or needs or offers:
        panels += [
            Panel(gettext("ニーズと提供"), "matching/panels/items.html", {"needs": needs, "offers": offers}),
            Panel(gettext("マッチングの提案"), "matching/panels/suggestions.html", {"parties": parties}),
        ]
    return panels


staff_links = StaffMenu(
    "matching",
    [
        MenuEntry(
            "matching:staff_business_queue",
            _("企業・事業者の承認"),
            _("登録された企業・事業者のプロフィールを確認して承認します。"),
            count=selectors.pending_businesses(),  # the approval queue's own rows
            dashboard=_("企業・事業者の承認待ち"),
        ),
        MenuEntry(
            "matching:pipeline",
            _("マッチングのパイプライン"),
            _("提案 → 紹介済 → 協議中 → 成立／不成立 を進めます（件数は進行中のもの）。"),
            count=Match.objects.exclude(status__in=[MatchStatus.CONCLUDED, MatchStatus.DECLINED]),
        ),
    ],
    permission="matching.manage_matches",
)
register("staff_links", staff_links, module=__name__)

register("dashboard_items", staff_links.dashboard_items, module=__name__)


# --- Reports -------------------------------------------------------------------------------------


@hook("report_figures")
def report_figures(*, program_code: str | None, fiscal_year: int) -> list[Figure]:
    """Matches whose state changed in the year (a program's: those linked to the program)."""
    counts = selectors.match_counts(program_code=program_code, fiscal_year=fiscal_year)
    return [
        Figure("matching.proposed", counts[MatchStatus.PROPOSED]),
        Figure("matching.introduced", counts[MatchStatus.INTRODUCED]),
        Figure("matching.concluded", counts[MatchStatus.CONCLUDED]),
    ]


@hook("group_page_sections")
def group_page_sections(request, group) -> list[Panel]:
    """The group's open needs and offers on its page (none while it is not registered)."""
    if not selectors.party_is_eligible(group):
        return []
    # The same for every visitor: kept until a need, offer or group changes (core.pagecache).
    needs, offers = pagecache.kept(
        f"matching:group-page:{group.pk}",
        ("groups", "matching"),
        lambda: selectors.open_items_of(PartyRef.of(group)),
    )
    # Staff post for the group when it asks them to (at the counter, by phone): the record says so.
    for_staff = may(request.user, "matching.post_for_any_party")
    if not needs and not offers and not for_staff:
        return []
    return [
        Panel(
            title=gettext("ニーズと提供"),
            template="matching/panels/group_items.html",
            context={
                "needs": needs,
                "offers": offers,
                "party_key": PartyRef.of(group).key,
                "for_staff": for_staff,
            },
        )
    ]


@hook("person_page_sections")
def person_page_sections(request, person) -> list[PersonSection]:
    """The matches of the groups and businesses the person acts for (by their account)."""
    if not person.user_id:
        return []
    entries = tuple(
        PersonEntry(
            on=timezone.localdate(match.created_at),
            title=str(match),
            url=match.get_absolute_url(),
            details=(
                match.get_status_display(),
                gettext("%(party)s の一員として") % {"party": via},
            ),
        )
        for match, via in selectors.person_matches(person.user)
    )
    return [PersonSection(title=gettext("マッチング"), entries=entries)] if entries else []


@hook("group_directory_filters")
def group_directory_filters() -> dict:
    """The group directory's filter by open need (人材, 場所...)."""
    return {"need": filters.group_directory_need_filter()}


@hook("saved_search_sources")
def saved_search_sources() -> list:
    """The needs and offers lists, for saved searches with e-mail alerts (info app)."""
    from django.http import QueryDict
    from django.utils.translation import gettext as _

    from core.app_hooks import SearchSource
    from matching.models import Need, Offer
    from matching.selectors import item_filter

    def source(kind: str, label: str, model) -> SearchSource:
        def new_items(since):
            return dict(model.objects.open().filter(created_at__gt=since).values_list("pk", "created_at"))

        def filterset(params: QueryDict):
            return item_filter(model, data=params)

        def describe(ids):
            rows = model.objects.filter(pk__in=list(ids)).order_by("pk").values_list("pk", "title")
            url = "matching:need_detail" if model is Need else "matching:offer_detail"
            return [(pk, title, reverse(url, args=[pk])) for pk, title in rows]

        return SearchSource(kind, label, "matching:index", new_items, filterset, describe)

    return [source("needs", _("ニーズ"), Need), source("offers", _("提供"), Offer)]
