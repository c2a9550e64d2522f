"""Factories for the projects app, with the states of proposals and projects as traits."""

from __future__ import annotations

import datetime as dt

import factory

from projects import services
from projects.models import (
    BudgetLine,
    Project,
    ProjectKind,
    ProjectStatus,
    Proposal,
    ProposalCall,
    ProposalStatus,
    StageKind,
)
from tests import factories
from tests.factory_helpers import ModelFactory, numbered_names, related_set


class ProjectGroupFactory(factories.GroupFactory):
    """An approved group; `owner=user` makes that user its owner."""

    name, name_kana = numbered_names("協働テストの会", "きょうどうてすとのかい")
    address = "みらい市本町1-2-3"
    representative_name = "佐藤 陽子"


# A moment inside the open period of CallFactory's calls.
IN_PERIOD = dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC)


class CallFactory(ModelFactory):
    """A call open from 1 to 30 November 2026 with 書類審査 and the default rubric."""

    class Meta:
        model = ProposalCall

    title = factory.Sequence(lambda n: f"令和9年度 市民提案型協働事業 {n}")
    fiscal_year = 2027
    opens_on = dt.date(2026, 11, 1)
    closes_on = dt.date(2026, 11, 30)
    kinds = factory.LazyFunction(lambda: [ProjectKind.CITIZEN_PROPOSAL])

    class Params:
        split = factory.Trait(split_weights=True, department_share=50)

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if not create:
            return
        kinds = extracted or [StageKind.DOCUMENT]
        for order, kind in enumerate(kinds, start=1):
            services.stage_create(call=self, kind=kind, order=order)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.reviewer_departments.set(extracted)

    @factory.post_generation
    def staff(self, create, extracted, **kwargs):
        if create and extracted:
            self.reviewer_staff.set(extracted)


COMPLETE_PLAN = {
    "summary": "転入して間もない親子が気軽に立ち寄れるひろばを開きます。",
    "plan_who": "子育て経験のある会員10名",
    "plan_whom": "0〜3歳の子を育てる親子",
    "plan_where": "本町地区センター",
    "plan_what": "毎週水曜のひろばと子育て相談",
    "plan_why": "身近に相談相手がいない親が孤立しがちなため",
    "plan_until": "2027年5月から2028年2月まで",
    "plan_how_much": "会場費を市、消耗品を団体が負担",
    "plan_how": "団体が運営し、市は広報を担う",
}


class ProposalFactory(ModelFactory):
    """A complete draft (6W2H filled, one budget line); traits set the other states directly."""

    class Meta:
        model = Proposal

    call = factory.SubFactory(CallFactory)
    group = factory.SubFactory(ProjectGroupFactory)
    # Assigned to a department that reviews the call (officials see only their department's).
    desired_department = factory.LazyAttribute(lambda o: o.call.reviewer_departments.first())
    created_by = factory.LazyAttribute(
        lambda o: o.group.memberships.first().user if o.group.memberships.exists() else _make_user()
    )
    title = factory.Sequence(lambda n: f"親子のひろば{n}")
    kind = ProjectKind.CITIZEN_PROPOSAL
    summary = COMPLETE_PLAN["summary"]
    plan_who = COMPLETE_PLAN["plan_who"]
    plan_whom = COMPLETE_PLAN["plan_whom"]
    plan_where = COMPLETE_PLAN["plan_where"]
    plan_what = COMPLETE_PLAN["plan_what"]
    plan_why = COMPLETE_PLAN["plan_why"]
    plan_until = COMPLETE_PLAN["plan_until"]
    plan_how_much = COMPLETE_PLAN["plan_how_much"]
    plan_how = COMPLETE_PLAN["plan_how"]

    class Params:
        submitted = factory.Trait(
            status=ProposalStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(lambda: dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)),
        )
        under_review = factory.Trait(
            status=ProposalStatus.UNDER_REVIEW,
            submitted_at=factory.LazyFunction(lambda: dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)),
            current_stage=factory.LazyAttribute(lambda o: o.call.stages.order_by("order").first()),
        )
        adopted = factory.Trait(status=ProposalStatus.ADOPTED)
        rejected = factory.Trait(status=ProposalStatus.REJECTED)
        returned = factory.Trait(status=ProposalStatus.RETURNED)

    @factory.post_generation
    def budget(self, create, extracted, **kwargs):
        if create and extracted is not False:
            BudgetLine.objects.create(proposal=self, item="会場使用料", amount=48000, payer="city")


def _make_user():
    from core.services import user_create

    Counter.n += 1
    return user_create(email=f"proposer{Counter.n}@example.jp", password="correct-horse-battery-42")


class Counter:
    n = 0


class ProjectFactory(ModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"協働事業{n}")
    kind = ProjectKind.CITIZEN_PROPOSAL
    lead_group = factory.SubFactory(ProjectGroupFactory)
    department = factory.SubFactory(factories.DepartmentFactory)
    fiscal_year = 2026
    status = ProjectStatus.RUNNING
    summary = "地域の子育て世帯の孤立を防ぐ協働事業です。"

    class Params:
        preparing = factory.Trait(status=ProjectStatus.PREPARING)
        agreed = factory.Trait(status=ProjectStatus.AGREED)
        evaluating = factory.Trait(status=ProjectStatus.EVALUATING)
        done = factory.Trait(status=ProjectStatus.DONE, results="延べ640組が参加しました。")
        cancelled = factory.Trait(status=ProjectStatus.CANCELLED)
        registration = factory.Trait(kind=ProjectKind.REGISTRATION)
        support = factory.Trait(kind=ProjectKind.SUPPORT)

    themes = related_set("themes")


def sign_agreement(project, *, by, **terms):
    """The project's agreement as staff write it, for May 2026 to February 2027 and signed on
    20 April 2026; `terms` replace any of that and the short wording."""
    agreement = {
        "purpose": "目的",
        "group_role": "運営",
        "department_role": "広報",
        "method": "毎週",
        "responsibility": "協議",
        "cost_sharing": "折半",
        "period_start": dt.date(2026, 5, 1),
        "period_end": dt.date(2027, 2, 28),
        "signed_on": dt.date(2026, 4, 20),
    }
    return services.agreement_save(project=project, by=by, **agreement | terms)


def log_support(project, *, by, **fields):
    """A 支援記録 of the project written by `by`: a mentor's meeting on 1 June 2026 unless `fields`
    say otherwise."""
    record = {
        "held_on": dt.date(2026, 6, 1),
        "kind": "mentor",
        "supporters": "メンター 山田",
        "content": "事業計画を見直した。",
    }
    return services.support_log_create(project=project, by=by, **record | fields)


def submit_reviews(proposal, reviewers, *, value: int = 4, comment: str = "") -> None:
    """Each of `reviewers` submits a review of the proposal's current stage recommending adoption,
    with `value` for every criterion."""
    criteria = list(proposal.current_stage.criteria.all())
    for reviewer in reviewers:
        services.review_save(
            proposal=proposal,
            reviewer=reviewer,
            scores={criterion.pk: (value, comment) for criterion in criteria},
            recommendation="adopt",
            submit=True,
        )


def score_everyone(proposal, value: int = 4) -> None:
    """Every reviewer of the proposal's current stage and round finishes their review (a decision
    of 採択 or 不採択 rests on the total)."""
    from core.models import User
    from projects.selectors import proposal_reviewer_sides

    submit_reviews(proposal, User.objects.filter(pk__in=proposal_reviewer_sides(proposal)), value=value)
