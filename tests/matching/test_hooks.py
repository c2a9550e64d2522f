"""matching's hooks: demo data, benchmark pages, my page, the staff dashboard, report figures."""

import io
import random

import pytest
from django.test import RequestFactory

from core.fiscal import current_fiscal_year, fiscal_year_of
from groups.models import Group
from matching import demo, hooks, services
from matching.models import (
    Business,
    BusinessStatus,
    Match,
    MatchStatus,
    MatchStatusChange,
    Need,
    Offer,
    PartyRef,
)
from matching.selectors import suggestions_for
from reports.labels import figure_text
from tests.matching.factories import GroupFactory, NeedFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db, kodomo, honmachi):
    from core.demo import seed as core_seed

    core_seed(scale=1, rng=random.Random(1), out=io.StringIO())
    groups = Group.objects.bulk_create(GroupFactory.build_batch(250))
    Group.themes.through.objects.bulk_create([Group.themes.through(group=g, theme=kodomo) for g in groups])
    Group.areas.through.objects.bulk_create([Group.areas.through(group=g, area=honmachi) for g in groups])
    out = io.StringIO()
    demo.seed(scale=1, rng=random.Random(2), out=out)
    return out.getvalue()


def test_seed_demo_makes_businesses_needs_offers_and_matches_in_every_state(seeded):
    """60 businesses per scale, the design company offering flyers, and matches in all five states."""
    assert Business.objects.count() == demo.BUSINESSES_PER_SCALE
    design = Business.objects.get(name=demo.DESIGN_COMPANY)
    assert design.status == BusinessStatus.APPROVED
    assert Offer.objects.filter(business=design, deliverable="flyer", is_open=True).exists()
    assert Business.objects.filter(status=BusinessStatus.PENDING).exists()
    assert Need.objects.filter(deliverable="flyer", group__isnull=False).exists()
    assert Need.objects.filter(department__isnull=False).exists()
    assert set(Match.objects.values_list("status", flat=True)) == set(MatchStatus.values)
    fiscal_years = {fiscal_year_of(created) for created in Match.objects.values_list("created_at", flat=True)}
    assert len(fiscal_years) == 5
    assert MatchStatusChange.objects.filter(to_status=MatchStatus.CONCLUDED).count() > 5
    assert "マッチング" in seeded
    # The demo's flyer need: the design company comes first.
    need = Need.objects.get(title="子ども食堂のチラシ制作")
    _party, rows = suggestions_for(PartyRef.of(need.group))
    assert rows[0].suggestion.candidate.name == demo.DESIGN_COMPANY


def test_bench_pages_name_the_suggestions_page_of_a_group_with_a_flyer_need(group):
    NeedFactory(group=group, deliverable="flyer")
    pages = demo.bench_pages(scale=1)
    assert pages["matching_suggestions"].path == f"/matching/suggestions/group-{group.pk}/"
    assert pages["matching_suggestions"].as_user == "staff@example.jp"
    assert pages["matching_index"] == "/matching/"


def test_report_figures_count_proposed_introduced_and_concluded(group, design_company, staff_user):
    """The three figures follow the status history of the fiscal year; a program's report says
    that only the matches linked to the program are counted."""
    match = services.match_create(party_a=group, party_b=design_company, created_by=staff_user)
    for status in ("introduced", "negotiating", "concluded"):
        services.match_transition(match=match, to_status=status, by=staff_user, notify=False)
    figures = {f.key: f for f in hooks.report_figures(program_code=None, fiscal_year=current_fiscal_year())}
    keys = ("matching.proposed", "matching.introduced", "matching.concluded")
    assert [figures[k].value for k in keys] == [1, 1, 1]
    alp = hooks.report_figures(program_code="alp", fiscal_year=current_fiscal_year())
    assert alp[0].value == 0
    year = current_fiscal_year()
    _label, _unit, alp_note = figure_text(alp[0], program_code="alp", fiscal_year=year)
    _label, _unit, note = figure_text(figures["matching.proposed"], program_code=None, fiscal_year=year)
    assert "この事業に結び付けた" in alp_note and "この事業" not in note


def test_my_page_and_staff_links(rf: RequestFactory, business_member, design_company, staff_user, group):
    OfferFactory(business=design_company, title="チラシ制作/デザイン")
    Business.objects.create(name="承認待ち", name_kana="しょうにんまち")
    request = rf.get("/mypage/")
    request.user = business_member
    panels = hooks.mypage_panels(request)
    assert [p.title for p in panels] == ["企業・事業者のプロフィール", "ニーズと提供", "マッチングの提案"]
    assert panels[0].context["businesses"] == [design_company]
    request.user = staff_user
    links = {link.title: link for link in hooks.staff_links(request)}
    assert links["企業・事業者の承認"].count == 1
    assert links["マッチングのパイプライン"].url == "/matching/staff/pipeline/"
    request.user = business_member
    assert hooks.staff_links(request) == []
