"""Demo data for seed_demo: calls, proposals in every state, reviews and projects, FY2021 onwards.

Runs after core, groups, matching and events, and uses their data: approved groups and their
editors propose, approved businesses and other groups are partners, the demo officials review.
Everything goes through projects.services (without e-mails); timestamps are then moved back to
the dates the story needs.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from core import demo
from core.app_hooks import hook
from core.calendar import next_open_day
from core.fiscal import current_fiscal_year, fiscal_year_label, fiscal_year_of
from core.models import Department, Theme, User
from core.roles import Role
from core.services import official_assign, user_create
from projects import services
from projects.models import (
    Decision,
    Project,
    ProjectForm,
    ProjectKind,
    ProjectStatus,
    Proposal,
    ProposalCall,
    ProposalStatus,
    Recommendation,
    ResolutionChoice,
    Review,
    SideResolution,
    StatusChange,
    SupportKind,
)

JST = ZoneInfo("Asia/Tokyo")
FIRST_FISCAL_YEAR = 2021
# A city's program handles tens of proposals and registered projects a year, whatever the --scale:
# each goes through the services (reviews, agreements, reports), so the bench's larger scales
# stop here instead of spending minutes on a story no bench page reads more of.
MAX_PROPOSALS_PER_CALL = 9
MAX_REGISTERED_PER_YEAR = 6
# Reviews 20 and 45 days after a call closes, the decision 60 days after (late January).
DECISION_AFTER_CLOSE = 60

# Extra reviewers: officials of three more departments (demo password).
DEMO_OFFICIALS = [
    ("official-kyodo@example.jp", "協働 次郎", "きょうどう じろう", "市民協働推進課"),
    ("official-kankyo@example.jp", "環境 みどり", "かんきょう みどり", "環境政策課"),
    ("official-korei@example.jp", "長寿 正", "ちょうじゅ ただし", "高齢福祉課"),
]

# The external 審査委員 (demo password): a named person, not an e-mail address.
DEMO_EXTERNAL_REVIEWER = (
    "reviewer@example.jp",
    "山川 道子",  # data, not UI text
    "やまかわ みちこ",  # data, not UI text
    "みらい大学 地域政策学部 教授（学識経験者）",  # data, not UI text
)

# (title, theme short names, department, summary, who, whom, where, what, why, how)
IDEAS = [
    (
        "親子のたまり場「さくらんぼひろば」",
        ["子どもの健全育成"],
        "子ども家庭支援課",
        "転入して間もない親子が気軽に立ち寄り、子育ての悩みを話せる常設のひろばを開きます。",
        "子育て経験のある会員12名と保健師",
        "0〜3歳の子を育てる親子（年間延べ600組）",
        "{area}地区センター 和室",
        "毎週水曜のひろば開設、月1回の子育て相談会",
        "転入世帯が多く、身近に相談相手がいない親が孤立しがちなため",
        "団体がひろばを運営し、市は広報と保健師の派遣を担う。月1回の運営会議で三者がふりかえる",
    ),
    (
        "ひとり暮らし高齢者の見守りサロン「ふれあい茶屋」",
        ["保健・医療・福祉"],
        "高齢福祉課",
        "空き店舗を使った茶話会で、ひとり暮らしの高齢者の見守りと介護予防を進めます。",
        "自治会の有志と民生委員、地域包括支援センター",
        "{area}地区の65歳以上のひとり暮らしの方",
        "{area}商店街の空き店舗",
        "週2回の茶話会、体操教室、買い物支援",
        "高齢化率が35%を超え、閉じこもりがちな高齢者が増えているため",
        "団体が運営し、市は専門職の派遣と関係機関との連絡調整を行う",
    ),
    (
        "川辺の生き物しらべと清掃活動",
        ["環境の保全"],
        "環境政策課",
        "子どもと一緒に川の生き物を調べ、清掃と外来種の駆除で水辺の環境を守ります。",
        "会員20名と地元の小学校",
        "市内の小学生とその家族",
        "{area}川の河川敷",
        "年6回の生き物調査会と毎月の清掃活動、調査結果の展示",
        "川のごみと外来種が増え、子どもが水辺で遊ぶ機会が減っているため",
        "団体が企画・運営し、市は調査機材の貸出と学校への周知を担う",
    ),
    (
        "外国人住民のための暮らしのガイドづくり",
        ["国際協力", "人権・平和"],
        "国際交流課",
        "やさしい日本語を含む6言語の暮らしのガイドを、外国人住民と一緒につくります。",
        "国際交流ボランティア15名と通訳者",
        "市内に住む外国人住民（約3,200人）",
        "市民活動プラザ、市役所市民課窓口",
        "聞き取り調査、ガイドの作成・翻訳、転入時の配布",
        "転入手続きのときに必要な情報が届いていないため",
        "団体がニーズ把握と翻訳を、市は関係部署との調整と配布を担う",
    ),
    (
        "地域防災マップと避難所運営ゲーム体験会",
        ["災害救援", "地域安全"],
        "防災危機管理課",
        "住民が歩いてつくる防災マップと、避難所運営ゲーム（HUG）で、災害に備える地域をつくります。",
        "防災会の役員と地域の消防団",
        "{area}地区の住民と要支援者の家族",
        "{area}小学校 体育館",
        "まち歩きと防災マップ作成、HUG体験会を年3回",
        "避難行動要支援者の支援の仕組みが地域にないため",
        "団体が住民への呼びかけと運営を、市は資料提供と講師派遣を担う",
    ),
    (
        "障害のある人の就労体験カフェ",
        ["保健・医療・福祉", "職業能力・雇用機会"],
        "障害福祉課",
        "市役所ロビーでカフェを開き、障害のある人が接客と調理を体験できる場をつくります。",
        "福祉作業所の職員と利用者、ボランティア",
        "市内の障害のある人（年間20名）",
        "市役所1階ロビー",
        "週3日のカフェ営業と就労体験プログラム",
        "一般就労の前に、人と接する経験を積める場が少ないため",
        "団体がカフェを運営し、市は場所の提供と企業への紹介を担う",
    ),
    (
        "商店街の空き店舗を使った多世代交流スペース",
        ["まちづくり", "経済活動の活性化"],
        "商工観光課",
        "空き店舗を改装し、学生と高齢者が集う交流スペースと地域の情報発信の場にします。",
        "商店会と大学のサークル",
        "商店街の利用者、学生、地域の高齢者",
        "{area}商店街",
        "交流スペースの運営、月例マルシェ、地域情報の掲示",
        "空き店舗が増え、商店街の人通りが減っているため",
        "団体が運営し、市は改装費の一部と広報を担う",
    ),
    (
        "父親の育児参加を応援する講座「パパカフェ」",
        ["男女共同参画", "子どもの健全育成"],
        "男女共同参画課",
        "父親同士が育児の悩みを話し、家事・育児の分担を考える講座を開きます。",
        "子育て中の父親グループ",
        "乳幼児の父親（年間延べ150人）",
        "男女共同参画センター",
        "月1回の講座と、親子で参加する外遊びイベント",
        "父親の育児参加が進まず、母親に負担が偏っているため",
        "団体が企画・進行し、市は会場提供と講師の謝礼を負担する",
    ),
    (
        "地域の歴史を語り継ぐ「まちの語り部」",
        ["社会教育", "学術・文化・芸術・スポーツ"],
        "生涯学習課",
        "地域の歴史を高齢者から聞き取り、小中学生向けの語り部の会と冊子にします。",
        "郷土史研究会の会員10名",
        "市内の小中学生と住民",
        "公民館と市内の小学校",
        "聞き取りと冊子づくり、学校での語り部の会",
        "地域の歴史を知る世代が少なくなっているため",
        "団体が聞き取りと編集を、市は学校との調整と印刷を担う",
    ),
    (
        "子ども食堂ネットワークづくり",
        ["子どもの健全育成", "団体の運営・活動の支援"],
        "子ども家庭支援課",
        "市内の子ども食堂をつなぎ、食材の融通とボランティアの研修を一緒に行います。",
        "市内の子ども食堂の代表者",
        "子ども食堂の運営者と利用する子ども",
        "市民活動プラザ",
        "連絡会の開催、食材の共同受け取り、衛生研修",
        "食材やボランティアの確保が、それぞれの食堂だけでは難しいため",
        "団体がネットワークを運営し、市と社会福祉協議会が情報提供と研修を担う",
    ),
]

# Small, early-stage projects that staff register (プロジェクト登録) and accompany (プロジェクト支援).
REGISTERED_TITLES = [
    "空き家を使った子どもの学習支援教室",
    "地元野菜でつくる親子料理教室",
    "視覚障害のある人と歩くまち歩きマップ",
    "シニアのためのスマホ相談会",
    "古着の交換会で広げるリユース",
    "多文化キッチン（外国出身の住民と料理）",
    "子ども向けプログラミング教室",
    "川辺のベンチづくりワークショップ",
    "商店街の昔の写真展",
    "認知症カフェの立ち上げ",
    "中高生の居場所「夜のたまり場」",
    "防災リュックの点検会",
]

SUPPORT_CONTENTS = [
    "事業計画書の目的と対象を一緒に整理した。",
    "収支計画を見直し、参加費と助成金の組み合わせを検討した。",
    "チラシの構成と配布先について助言した。",
    "メンター（中小企業診断士）と、事業の継続に向けた課題を洗い出した。",
    "クラウドファンディングの準備として、リターンと発信の計画を立てた。",
    "会計担当者と一緒に帳簿のつけ方を確認した。",
    "ボランティア募集の文章を一緒に書き、ポータルに掲載した。",
    "行政との協議に向けて、説明資料をまとめた。",
]
MENTORS = [
    "山田（中小企業診断士）",
    "佐々木（NPO支援コーディネーター）",
    "中村（デザイナー）",
    "井上（社会保険労務士）",
]


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    """That hour of the day, or now if the hour is still to come (something done today is done by now)."""
    return min(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=JST), timezone.now())


def _reviewers(rng: random.Random) -> tuple[list[User], list[Department]]:
    for email, name, kana, department_name in DEMO_OFFICIALS:
        department = Department.objects.filter(name=department_name).first()
        if department is None:
            continue
        user = User.objects.filter(email=email).first() or user_create(
            email=email,
            password=demo.DEMO_PASSWORD,
            full_name=name,
            full_name_kana=kana,
            roles=(Role.OFFICIAL,),
        )
        official_assign(user=user, department=department)
    staff = list(User.objects.filter(email__in=["staff@example.jp", "staff2@example.jp"]).order_by("email"))
    departments = list(
        Department.objects.filter(name__in=["子ども家庭支援課", "市民協働推進課", "環境政策課", "高齢福祉課"])
    )
    return staff, departments


def _external_reviewer() -> User:
    """The demo 審査委員 (学識経験者), invited to every call and reviewing from the center's side."""
    email, name, kana, _affiliation = DEMO_EXTERNAL_REVIEWER
    return User.objects.filter(email=email).first() or user_create(
        email=email,
        password=demo.DEMO_PASSWORD,
        full_name=name,
        full_name_kana=kana,
        roles=(Role.REVIEWER,),
    )


def _proposers(rng: random.Random):
    """(group, editor) pairs of approved groups; the demo member's own group first."""
    from groups.models import Group, GroupMembership

    memberships = list(
        GroupMembership.objects.filter(group__status="approved")
        .select_related("group", "user")
        .order_by("group_id")
    )
    member_first = sorted(memberships, key=lambda m: (m.user.email != "member@example.jp", m.group_id))
    seen, pairs = set(), []
    for membership in member_first:
        if membership.group_id not in seen:
            seen.add(membership.group_id)
            pairs.append((membership.group, membership.user))
    if not pairs:  # the groups app has no demo data: make a few groups of our own
        owner = User.objects.filter(email="member@example.jp").first()
        for i in range(6):
            group = Group.objects.create(
                name=f"みらい協働デモ団体{i + 1}",
                name_kana=f"みらいきょうどうでもだんたい{i + 1}",
                legal_form="voluntary",
                status="approved",
                registered_on=dt.date(FIRST_FISCAL_YEAR, 5, 1),
            )
            if owner:
                GroupMembership.objects.create(group=group, user=owner, role="owner")
                pairs.append((group, owner))
    head, tail = pairs[:1], pairs[1:]
    rng.shuffle(tail)
    return head + tail


def _plan(idea, area_name: str) -> dict:
    _title, _themes, _dept, summary, who, whom, where, what, why, how = idea
    return {
        "summary": summary,
        "plan_who": who.format(area=area_name),
        "plan_whom": whom.format(area=area_name),
        "plan_where": where.format(area=area_name),
        "plan_what": what.format(area=area_name),
        "plan_why": why,
        "plan_until": "4月に準備を始め、5月から翌年2月まで実施。9月に中間ふりかえり、3月に成果発表。",
        "plan_how_much": "会場費・講師謝礼・印刷費を市の協働事業負担金で、消耗品と保険料を団体が負担する。",
        "plan_how": how,
    }


class Seeder:
    def __init__(self, *, scale: int, rng: random.Random, out) -> None:
        self.scale, self.rng, self.out = scale, rng, out
        self.staff, self.departments = _reviewers(rng)
        self.external_reviewer = _external_reviewer()
        self.lead_staff = self.staff[0] if self.staff else None
        self.themes = {t.short_name: t for t in Theme.objects.all()}
        self.departments_by_name = {d.name: d for d in Department.objects.all()}
        self.pairs = _proposers(rng)
        self.pair_index = 0
        from matching.models import Business

        self.businesses = list(Business.objects.filter(status="approved").order_by("pk")[:50])
        self.adopted_in: dict[int, int] = {}
        self.counts = {"calls": 0, "proposals": 0, "projects": 0, "support_logs": 0}

    def next_pair(self):
        pair = self.pairs[self.pair_index % len(self.pairs)]
        self.pair_index += 1
        return pair

    # --- calls and proposals ------------------------------------------------------------------

    def call(
        self,
        fiscal_year: int,
        *,
        kind: str,
        presentation: bool,
        split: bool,
        opens_on: dt.date,
        closes_on: dt.date,
        second_round: bool = False,
    ) -> ProposalCall:
        label = "市民提案型" if kind == ProjectKind.CITIZEN_PROPOSAL else "行政提案型"
        suffix = "（二次募集）" if second_round else ""
        call = services.call_create(
            title=f"{fiscal_year_label(fiscal_year)} {label}協働事業の提案募集{suffix}",
            fiscal_year=fiscal_year,
            description=(
                "地域の課題を、市民活動団体と市が協働して解決する事業を募集します。"
                "採択された事業には、協働事業負担金（上限50万円）と担当課の協力があります。"
            ),
            opens_on=opens_on,
            closes_on=closes_on,
            kinds=[kind],
            with_presentation=presentation,
            split_weights=split,
            department_share=50,
            reviewer_departments=self.departments,
            reviewer_staff=self.staff,
            created_by=self.lead_staff,
            review_deadline=closes_on + dt.timedelta(days=45),
        )
        if self.external_reviewer is not None:
            invitation = services.external_reviewer_invite(
                call=call,
                email=self.external_reviewer.email,
                full_name=self.external_reviewer.full_name,
                affiliation=DEMO_EXTERNAL_REVIEWER[3],
                by=self.lead_staff,
            )
            services.external_reviewer_accept(
                token=services.external_reviewer_token(invitation), user=self.external_reviewer
            )
        announced = min(opens_on - dt.timedelta(days=30), timezone.localdate())
        ProposalCall.objects.filter(pk=call.pk).update(created_at=_aware(announced))
        self.counts["calls"] += 1
        return call

    def proposal(self, call: ProposalCall, idea, *, pair=None) -> Proposal:
        group, user = pair or self.next_pair()
        area = group.areas.first() if hasattr(group, "areas") else None
        department = self.departments_by_name.get(idea[2])
        proposal = services.proposal_create(
            call=call,
            group=group,
            created_by=user,
            title=idea[0],
            kind=call.kinds[0],
            desired_department=department,
            themes=[self.themes[s] for s in idea[1] if s in self.themes],
            **_plan(idea, area.name if area else "本町"),
        )
        # A line priced as 単価×回数 is that product (a reviewer checks the sums); the others vary.
        sessions, lectures = self.rng.randint(12, 30), self.rng.randint(4, 8)
        lines = [
            ("会場使用料", f"2,000円×{sessions}回", 2000 * sessions, "city"),
            ("講師謝礼", f"10,000円×{lectures}回", 10000 * lectures, "city"),
            ("チラシ印刷費", "A4 2,000部", 30000 + self.rng.randint(0, 10) * 1000, "city"),
            ("消耗品費", "文具・材料", 25000 + self.rng.randint(0, 10) * 1000, "proposer"),
            ("ボランティア保険料", "20名分", 7000 + self.rng.randint(0, 10) * 1000, "proposer"),
        ]
        if self.businesses and self.rng.random() < 0.5:
            lines.append(
                ("協賛（物品）", "地元企業からの提供", 20000 + self.rng.randint(0, 10) * 1000, "partner")
            )
        from projects.models import BudgetLine, Partner

        for order, (item, description, amount, payer) in enumerate(lines):
            services.budget_line_save(
                line=BudgetLine(
                    proposal=proposal,
                    item=item,
                    description=description,
                    amount=amount,
                    payer=payer,
                    order=order,
                )
            )
        if department:
            services.partner_save(
                partner=Partner(proposal=proposal, department=department, role="広報、関係機関との連絡調整")
            )
        if self.businesses and self.rng.random() < 0.6:
            services.partner_save(
                partner=Partner(
                    proposal=proposal,
                    business=self.rng.choice(self.businesses),
                    role="物品の提供、社員ボランティアの参加",
                )
            )
        if self.rng.random() < 0.5:
            other_group, _user = self.rng.choice(self.pairs)
            if other_group.pk != group.pk:
                services.partner_save(
                    partner=Partner(proposal=proposal, group=other_group, role="当日の運営協力")
                )
        if self.rng.random() < 0.4:
            services.partner_save(
                partner=Partner(proposal=proposal, name="地元の小学校PTA", role="参加者への周知")
            )
        self.counts["proposals"] += 1
        return proposal

    def submit(self, proposal: Proposal, day: dt.date) -> None:
        services.proposal_submit(proposal=proposal, by=proposal.created_by, now=_aware(day, 15))
        self._backdate(proposal, day)

    def review_all(self, proposal: Proposal, *, quality: float, complete: bool = True, day: dt.date) -> None:
        """Every reviewer scores the current stage (one may declare a conflict). When a side is
        left without reviewers, staff let the remaining side's average stand."""
        from projects.selectors import current_stage_result, proposal_reviewer_sides

        sides = proposal_reviewer_sides(proposal)
        reviewers = User.objects.filter(pk__in=sides).order_by("pk")
        criteria = list(proposal.current_stage.criteria.all())
        for index, reviewer in enumerate(reviewers):
            if not complete and index % 2 == 1:
                continue
            if self.rng.random() < 0.04:
                services.review_declare_conflict(
                    proposal=proposal, reviewer=reviewer, reason="提案団体の会員として活動しているため"
                )
                continue
            scores = {}
            for criterion in criteria:
                value = max(1, min(5, round(quality + self.rng.uniform(-1.2, 1.2))))
                scores[criterion.pk] = (
                    value,
                    self.rng.choice(
                        ["", "具体的でよい。", "もう少し具体的に。", "地域の声が反映されている。"]
                    ),
                )
            recommendation = (
                Recommendation.ADOPT
                if quality >= 3.6
                else Recommendation.CONDITIONAL
                if quality >= 2.8
                else Recommendation.REJECT
            )
            services.review_save(
                proposal=proposal,
                reviewer=reviewer,
                scores=scores,
                recommendation=recommendation,
                comment="地域の課題がよく捉えられています。役割分担をさらに具体的にしてください。",
                submit=not (not complete and index == 0),
            )
        Review.objects.filter(
            proposal=proposal, stage=proposal.current_stage, submitted_at__isnull=False
        ).update(submitted_at=_aware(day, 17))
        result = current_stage_result(proposal)
        if complete and result is not None and result.needs_resolution and len(result.missing_sides) == 1:
            services.side_resolution_record(
                proposal=proposal,
                side=result.missing_sides[0],
                choice=ResolutionChoice.REMAINING_SIDE,
                by=self.lead_staff,
            )
            SideResolution.objects.filter(proposal=proposal).update(decided_at=_aware(day, 18))

    def _backdate(self, proposal: Proposal, day: dt.date) -> None:
        moment = _aware(day, 15)
        Proposal.objects.filter(pk=proposal.pk).update(
            created_at=moment - dt.timedelta(days=7), submitted_at=moment, updated_at=moment
        )
        StatusChange.objects.filter(proposal=proposal, changed_at__gt=moment).update(changed_at=moment)

    def decide(self, proposal: Proposal, outcome: str, day: dt.date, reason: str) -> Project | None:
        from projects.selectors import current_stage_result

        if outcome != ProposalStatus.RETURNED and proposal.status == ProposalStatus.UNDER_REVIEW:
            result = current_stage_result(proposal)
            if result is None or result.total is None:  # no total to decide on: back for revision
                outcome = ProposalStatus.RETURNED
                reason = "審査員の多くが利害関係を申告したため、体制を整えて再提出してください。"
        services.proposal_decide(
            proposal=proposal,
            by=self.lead_staff,
            outcome=outcome,
            reason=reason,
            form=self.rng.choice(
                [
                    ProjectForm.CO_HOSTING,
                    ProjectForm.CONSIGNMENT,
                    ProjectForm.SUBSIDY,
                    ProjectForm.COOPERATION,
                    ProjectForm.COMMITTEE,
                ]
            ),
        )
        moment = _aware(day, 11)
        Decision.objects.filter(proposal=proposal).update(decided_at=moment)
        StatusChange.objects.filter(proposal=proposal, to_status=outcome).update(changed_at=moment)
        Proposal.objects.filter(pk=proposal.pk).update(updated_at=moment)
        project = Project.objects.filter(proposal=proposal).first()
        if project:
            StatusChange.objects.filter(project=project).update(changed_at=moment)
            Project.objects.filter(pk=project.pk).update(created_at=moment)
        return project

    # --- project life cycle --------------------------------------------------------------------

    def _move(self, project: Project, status: str, day: dt.date) -> Project:
        project = services.project_transition(project=project, to_status=status, by=self.lead_staff)
        StatusChange.objects.filter(project=project, to_status=status).update(changed_at=_aware(day, 14))
        return project

    def run_project(self, project: Project, *, until: str) -> None:
        """Moves a project from 協定準備中 as far as `until`, recording what each step needs."""
        fy = project.fiscal_year
        years = 2 if until == ProjectStatus.RUNNING and fy < current_fiscal_year() else 1
        start, end = dt.date(fy, 5, 1), dt.date(fy + years, 2, 28)
        Project.objects.filter(pk=project.pk).update(starts_on=start, ends_on=end)
        project.refresh_from_db()
        group_name = project.lead_group.name if project.lead_group else ""
        signatory = project.lead_group.representative_name if project.lead_group else ""
        defaults = services.agreement_defaults(project)
        defaults.update(
            {
                "department_role": (
                    "事業の広報（広報紙・ウェブサイト）、関係機関との連絡調整、会場の確保への協力"
                ),
                "group_role": f"{group_name}は、事業の企画・運営、参加者の募集、記録の作成を行う。",
                "responsibility": (
                    "事業の実施中に生じた事故については、乙が加入するボランティア保険で対応し、"
                    "甲乙協議のうえ誠意をもって対処する。"
                ),
                "cost_sharing": (
                    "甲は協働事業負担金として会場費・講師謝礼・印刷費（上限50万円）を負担し、"
                    "乙は消耗品費と保険料を負担する。"
                ),
                "city_signatory": "みらい市長　未来 太郎",
                "group_signatory": f"代表　{signatory}" if signatory else "",
            }
        )
        if until == ProjectStatus.PREPARING:
            defaults["signed_on"] = None
            services.agreement_save(project=project, by=self.lead_staff, **defaults)
            return
        defaults["signed_on"] = dt.date(fy, 4, 20)
        services.agreement_save(project=project, by=self.lead_staff, **defaults)
        project = self._move(project, ProjectStatus.AGREED, dt.date(fy, 4, 20))
        if until == ProjectStatus.AGREED:
            return
        project = self._move(project, ProjectStatus.RUNNING, start)
        for month in (6, 8, 10, 12):
            if dt.date(fy, month, 28) > timezone.localdate():
                break
            services.progress_report_create(
                project=project,
                by=project.proposal.created_by if project.proposal else self.lead_staff,
                reported_on=dt.date(fy, month, 28),
                activities=(
                    f"{month}月は計画どおり{self.rng.randint(3, 6)}回実施し、"
                    f"延べ{self.rng.randint(30, 120)}人が参加した。"
                ),
                achievements="参加者から「また来たい」という声が多く、新しいボランティアが2名加わった。",
                issues="会場の予約が取りにくい時期がある。" if self.rng.random() < 0.5 else "",
            )
        midterm = next_open_day(dt.date(fy, 9, 15))
        if midterm <= timezone.localdate():
            services.midterm_review_create(
                project=project,
                by=self.lead_staff,
                held_on=midterm,
                participants=f"{group_name} 3名、{project.department or '担当課'} 2名、センター 1名",
                progress="参加者数は目標の8割。広報の効果が出てきている。",
                issues="平日の参加者が少ない。",
                adjustments="土曜日の回を増やし、学校を通じた周知を担当課が行う。",
            )
        services.staff_note_create(
            project=project,
            by=self.lead_staff,
            body="担当課との打合せに同席。役割分担は良好。次回は広報の分担を確認する。",
        )
        if until == ProjectStatus.RUNNING:
            return
        for side in ("group", "department"):
            services.mutual_evaluation_save(
                project=project,
                side=side,
                by=self.lead_staff,
                results="目標としていた参加者数をおおむね達成し、参加者の中から運営を手伝う人が生まれた。",
                lessons="最初に役割分担を文書で確認したことで、担当者が異動しても事業が続いた。",
                next_steps="来年度は団体の自主事業として続け、市は広報で後押しする。",
                equality=self.rng.choice([3, 4]),
                autonomy=self.rng.choice([3, 4]),
                independence=self.rng.choice([2, 3, 4]),
                mutual_understanding=self.rng.choice([3, 4]),
                shared_purpose=4,
                openness=self.rng.choice([3, 4]),
                principles_comment="月1回の運営会議で、対等に話し合えた。",
            )
        project = self._move(project, ProjectStatus.EVALUATING, end)
        if until == ProjectStatus.EVALUATING:
            return
        services.results_presentation_create(
            project=project,
            by=self.lead_staff,
            held_on=next_open_day(dt.date(fy + 1, 3, 10)),
            venue="協働事業成果発表会（市民活動プラザ ホール）",
            audience=self.rng.randint(40, 120),
            summary="事業の経過と成果を発表し、参加者と意見交換を行った。",
        )
        Project.objects.filter(pk=project.pk).update(
            results=(
                f"年間を通じて計画どおり実施し、延べ{self.rng.randint(300, 900)}人が参加した。"
                "参加者の中から運営の担い手が生まれ、"
                "事業終了後も団体の自主事業として続いている。"
            )
        )
        project.refresh_from_db()
        self._move(project, ProjectStatus.DONE, dt.date(fy + 1, 3, 20))

    # --- プロジェクト登録 / プロジェクト支援 --------------------------------------------------------

    def registered_project(self, fiscal_year: int, kind: str, idea) -> None:
        group, _user = self.next_pair()
        today = timezone.localdate()
        start = dt.date(fiscal_year, self.rng.choice([5, 6, 7, 9]), 1)
        if start > today:
            return
        project = services.project_register(
            title=self.rng.choice(REGISTERED_TITLES),
            kind=kind,
            lead_group=group,
            fiscal_year=fiscal_year,
            by=self.lead_staff,
            summary=idea[3],
            department=self.departments_by_name.get(idea[2]),
            themes=[self.themes[s] for s in idea[1] if s in self.themes],
            starts_on=start,
            form=ProjectForm.INFORMATION if kind == ProjectKind.REGISTRATION else ProjectForm.COOPERATION,
            **{k: v for k, v in _plan(idea, "本町").items() if k != "summary"},
        )
        StatusChange.objects.filter(project=project).update(changed_at=_aware(start))
        sessions = self.rng.randint(2, 4) if kind == ProjectKind.REGISTRATION else self.rng.randint(4, 8)
        for i in range(sessions):
            day = next_open_day(start + dt.timedelta(days=21 * i + self.rng.randint(0, 6)))
            if day > today:
                break
            mentor = self.rng.choice(MENTORS)
            support_kind = SupportKind.MENTOR if i % 2 == 0 else SupportKind.HANDS_ON
            services.support_log_create(
                project=project,
                by=self.lead_staff,
                held_on=day,
                kind=support_kind,
                supporters=f"センター職員 {self.lead_staff}、メンター {mentor}"
                if self.lead_staff
                else mentor,
                attendees="団体の代表と事務局担当",
                content=self.rng.choice(SUPPORT_CONTENTS),
                next_action="次回までに修正案を団体がつくる。",
                minutes=self.rng.choice([60, 90, 120]),
            )
            self.counts["support_logs"] += 1
        if fiscal_year < current_fiscal_year():
            services.project_transition(
                project=project, to_status=ProjectStatus.EVALUATING, by=self.lead_staff
            )
            Project.objects.filter(pk=project.pk).update(
                ends_on=dt.date(fiscal_year + 1, 3, 15),
                results="センターの伴走支援を受けて事業計画を固め、地域の協力者が増えた。",
            )
            project.refresh_from_db()
            services.project_transition(project=project, to_status=ProjectStatus.DONE, by=self.lead_staff)
            StatusChange.objects.filter(project=project).exclude(to_status=ProjectStatus.RUNNING).update(
                changed_at=_aware(dt.date(fiscal_year + 1, 3, 15))
            )
        self.counts["projects"] += 1

    # --- the whole story ---------------------------------------------------------------------------

    def run(self) -> None:
        current = current_fiscal_year()
        today = timezone.localdate()
        per_call = min(3 + 2 * self.scale, MAX_PROPOSALS_PER_CALL)
        live = False
        for fiscal_year in range(FIRST_FISCAL_YEAR, current + 2):
            presentation = fiscal_year % 2 == 0
            opens_on, closes_on = dt.date(fiscal_year - 1, 10, 1), dt.date(fiscal_year - 1, 11, 30)
            if opens_on <= today:  # next year's call is announced in October, not before
                call = self.call(
                    fiscal_year,
                    kind=ProjectKind.CITIZEN_PROPOSAL,
                    presentation=presentation,
                    split=fiscal_year >= 2024,
                    opens_on=opens_on,
                    closes_on=closes_on,
                )
                live = self._call_by_phase(call, per_call, presentation) or live
            if fiscal_year in (2023, current):
                city_call = self.call(
                    fiscal_year,
                    kind=ProjectKind.CITY_PROPOSAL,
                    presentation=False,
                    split=False,
                    opens_on=opens_on,
                    closes_on=closes_on,
                )
                self._call_by_phase(city_call, min(2 + self.scale, MAX_PROPOSALS_PER_CALL), False)
            for _i in range(min(2 * self.scale, MAX_REGISTERED_PER_YEAR)):
                self.registered_project(fiscal_year, ProjectKind.REGISTRATION, self.rng.choice(IDEAS))
            for _i in range(min(self.scale, MAX_REGISTERED_PER_YEAR // 2)):
                self.registered_project(fiscal_year, ProjectKind.SUPPORT, self.rng.choice(IDEAS))
        if not live:
            # Outside the regular call's October-January cycle, a second round is open around
            # today, so the demo shows drafts, submissions and reviews under way on any day.
            closes_on = today + dt.timedelta(days=16)
            second = self.call(
                fiscal_year_of(closes_on + dt.timedelta(days=DECISION_AFTER_CLOSE)),
                kind=ProjectKind.CITIZEN_PROPOSAL,
                presentation=False,
                split=False,
                opens_on=today - dt.timedelta(days=14),
                closes_on=closes_on,
                second_round=True,
            )
            self._open_call(second)

    def _call_by_phase(self, call: ProposalCall, count: int, presentation: bool) -> bool:
        """Builds a call as far as today has come; True when it is open or under review today."""
        today = timezone.localdate()
        if call.closes_on + dt.timedelta(days=DECISION_AFTER_CLOSE) <= today:
            self._past_call(call, count, presentation)
            return False
        if call.closes_on < today:
            self._reviewing_call(call)
        else:
            self._open_call(call)
        return True

    def _past_call(self, call: ProposalCall, count: int, presentation: bool) -> None:
        fy = call.fiscal_year
        current = current_fiscal_year()
        ideas = self.rng.sample(IDEAS, k=min(count, len(IDEAS))) + [
            self.rng.choice(IDEAS) for _ in range(count - len(IDEAS))
        ]
        for index, idea in enumerate(ideas):
            pair = self.pairs[0] if (fy == current and index == 0) else None
            proposal = self.proposal(call, idea, pair=pair)
            submitted = call.closes_on - dt.timedelta(days=self.rng.randint(0, 20))
            self.submit(proposal, submitted)
            services.proposal_review_start(proposal=proposal, by=self.lead_staff)
            quality = 4.3 if index == 0 else self.rng.uniform(2.2, 4.6)
            self.review_all(proposal, quality=quality, day=call.closes_on + dt.timedelta(days=20))
            if presentation and quality >= 3.0:
                services.proposal_advance_stage(proposal=proposal, by=self.lead_staff)
                self.review_all(proposal, quality=quality, day=call.closes_on + dt.timedelta(days=45))
            decided = call.closes_on + dt.timedelta(days=DECISION_AFTER_CLOSE)
            if quality >= 3.4:
                project = self.decide(
                    proposal,
                    ProposalStatus.ADOPTED,
                    decided,
                    "地域の課題とその原因が明確で、担当課との役割分担も具体的であり、協働による相乗効果が期待できるため。",
                )
                if project:
                    self.adopted_in[fy] = self.adopted_in.get(fy, 0) + 1
                    self.run_project(project, until=self._stage_for(fy, self.adopted_in[fy]))
                    self.counts["projects"] += 1
            elif quality >= 2.9 and index % 3 == 0:
                self.decide(
                    proposal,
                    ProposalStatus.RETURNED,
                    decided,
                    "目的はよいが、予算の負担区分と実施体制が不明確です。担当課と相談のうえ再提出してください。",
                )
            else:
                self.decide(
                    proposal,
                    ProposalStatus.REJECTED,
                    decided,
                    "提案の趣旨は理解できるが、市と協働する必要性と事業終了後の継続の見通しが十分に示されていないため。",
                )

    @staticmethod
    def _stage_for(fiscal_year: int, nth_adopted: int) -> str:
        """How far an adopted project has come by today: old ones are done, recent ones at every step.

        A project is agreed on 20 April, runs from 1 May, is evaluated from the end of February
        and done on 20 March; it never reaches a step whose day is still to come. The third
        project adopted last year has a two-year agreement, so something is running on any day.
        """
        current = current_fiscal_year()
        today = timezone.localdate()
        if fiscal_year < current - 1:
            return ProjectStatus.DONE
        if fiscal_year == current - 1:
            return {2: ProjectStatus.EVALUATING, 3: ProjectStatus.RUNNING}.get(
                nth_adopted, ProjectStatus.DONE
            )
        wanted = {2: ProjectStatus.PREPARING, 3: ProjectStatus.AGREED}.get(nth_adopted, ProjectStatus.RUNNING)
        if wanted == ProjectStatus.RUNNING and today < dt.date(fiscal_year, 5, 1):
            wanted = ProjectStatus.AGREED
        if wanted == ProjectStatus.AGREED and today < dt.date(fiscal_year, 4, 20):
            wanted = ProjectStatus.PREPARING
        return wanted

    def _open_call(self, call: ProposalCall) -> None:
        """The call open now: proposals in draft, submitted, under review (part scored) and returned."""
        today = timezone.localdate()
        ideas = self.rng.sample(IDEAS, k=5)
        member_pair = self.pairs[0]
        draft = self.proposal(call, ideas[0], pair=member_pair)
        draft.plan_how = ""
        draft.save()
        if not call.accepts_at(timezone.now()):
            return
        for idea in ideas[1:3]:
            self.submit(self.proposal(call, idea), min(today, call.closes_on))
        for complete, idea in ((False, ideas[3]), (True, ideas[4])):
            proposal = self.proposal(call, idea)
            self.submit(proposal, min(today, call.closes_on))
            services.proposal_review_start(proposal=proposal, by=self.lead_staff)
            self.review_all(proposal, quality=3.8, complete=complete, day=today)
        returned = self.proposal(call, self.rng.choice(IDEAS))
        self.submit(returned, min(today, call.closes_on))
        services.proposal_decide(
            proposal=returned,
            by=self.lead_staff,
            outcome=ProposalStatus.RETURNED,
            reason="予算表に負担者が書かれていない項目があります。修正して再提出してください。",
        )

    def _reviewing_call(self, call: ProposalCall) -> None:
        """A call closed but not yet decided: some proposals wait, some are scored, one is returned.

        One draft was never submitted before the deadline, as happens.
        """
        today = timezone.localdate()
        first_review = min(call.closes_on + dt.timedelta(days=20), today)
        self.proposal(call, self.rng.choice(IDEAS))
        for index, idea in enumerate(self.rng.sample(IDEAS, k=5)):
            proposal = self.proposal(call, idea)
            self.submit(proposal, call.closes_on - dt.timedelta(days=self.rng.randint(0, 20)))
            if index == 0:
                continue  # submitted, review not started yet
            services.proposal_review_start(proposal=proposal, by=self.lead_staff)
            if index == 1:
                self.decide(
                    proposal,
                    ProposalStatus.RETURNED,
                    first_review,
                    "予算表に負担者が書かれていない項目があります。修正して再提出してください。",
                )
                continue
            self.review_all(
                proposal, quality=self.rng.uniform(3.0, 4.4), complete=index != 2, day=first_review
            )

    def report(self) -> str:
        c = self.counts
        return (
            f"  projects: 募集 {c['calls']}件, 提案 {c['proposals']}件, 協働事業 {c['projects']}件, "
            f"支援記録 {c['support_logs']}件"
        )


@hook("seed_demo")
def seed(*, scale: int, rng: random.Random, out) -> None:
    with services.notifications_muted():
        seeder = Seeder(scale=scale, rng=rng, out=out)
        if not seeder.pairs:
            out.write("  projects: 登録団体がないため作成しませんでした")
            return
        seeder.run()
    out.write(seeder.report())


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict[str, str]:
    from projects.models import Project

    pages = {"project_list": reverse("projects:index")}
    project = (
        Project.objects.public().filter(status="done").order_by("pk").first()
        or Project.objects.public().first()
    )
    if project:
        pages["project_detail"] = project.get_absolute_url()
    return pages
