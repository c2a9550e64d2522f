"""Demo data for seed_demo (run by ops) and the pages `make bench` loads.

Businesses, needs, offers and matches in every state.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.urls import reverse
from django.utils import timezone

from core.app_hooks import hook
from core.demo import DEPARTMENT_THEMES, DEPARTMENTS
from core.fiscal import current_fiscal_year, fiscal_year_start
from core.models import Area, Department, Theme, User
from groups.models import Group, GroupMembership, GroupStatus
from matching import scoring, services
from matching.models import (
    Business,
    BusinessStatus,
    ExchangeKind,
    Match,
    MatchStatus,
    MatchStatusChange,
    Need,
    Offer,
    PartyRef,
    ProBonoDeliverable,
)

BUSINESSES_PER_SCALE = 60


DEPARTMENTS_PER_SCALE = 3


DESIGN_COMPANY = "みらいデザイン工房"


# Hand-made businesses: (name, kana, industry, description, themes, areas, status, offers)
# offers: (title, kind, deliverable)
HANDMADE_BUSINESSES = [
    (
        DESIGN_COMPANY,
        "みらいでざいんこうぼう",
        "デザイン・印刷",
        "チラシやポスターのデザインが本業です。子育てやまちづくりの団体の広報を、プロボノでお手伝いします。",
        ["子どもの健全育成", "まちづくり", "保健・医療・福祉"],
        ["本町", "中央"],
        BusinessStatus.APPROVED,
        [
            ("チラシ制作/デザイン", ExchangeKind.PRO_BONO, ProBonoDeliverable.FLYER),
            ("ウェブサイト制作（小規模）", ExchangeKind.PRO_BONO, ProBonoDeliverable.WEBSITE),
        ],
    ),
    (
        "さくら印刷株式会社",
        "さくらいんさつ",
        "印刷",
        "創業50年の印刷会社です。地域のイベントのチラシ印刷を割引でお引き受けします。",
        ["まちづくり"],
        ["桜川"],
        BusinessStatus.APPROVED,
        [
            ("チラシ制作（印刷込み）", ExchangeKind.PRO_BONO, ProBonoDeliverable.FLYER),
            ("会報などの印刷物制作", ExchangeKind.PRO_BONO, ProBonoDeliverable.PRINTED),
        ],
    ),
    (
        "みらい信用金庫",
        "みらいしんようきんこ",
        "金融",
        "地域貢献基金で、市民活動への小口の助成を行っています。",
        ["経済活動の活性化", "まちづくり"],
        ["本町", "中央", "東町"],
        BusinessStatus.APPROVED,
        [
            ("地域貢献基金（上限10万円）", ExchangeKind.FUNDS, ""),
            ("事業計画づくりの相談", ExchangeKind.PRO_BONO, ProBonoDeliverable.BUSINESS_PLAN),
        ],
    ),
    (
        "あおばスーパー",
        "あおばすーぱー",
        "小売",
        "店舗の2階の集会室を、地域の団体に無料でお貸しします。食品の寄付もご相談ください。",
        ["子どもの健全育成", "保健・医療・福祉"],
        ["青葉"],
        BusinessStatus.APPROVED,
        [("集会室の無料貸出", ExchangeKind.VENUE, ""), ("食品の寄付", ExchangeKind.GOODS, "")],
    ),
    (
        "株式会社みなとシステムズ",
        "みなとしすてむず",
        "IT",
        "社員のプロボノで、団体のクラウドツール導入やSNSの使い方をお手伝いします。",
        ["情報化社会", "団体の運営・活動の支援"],
        ["港町"],
        BusinessStatus.APPROVED,
        [
            ("クラウドツールの導入支援", ExchangeKind.PRO_BONO, ProBonoDeliverable.CLOUD_TOOLS),
            ("SNS活用法の提案", ExchangeKind.PRO_BONO, ProBonoDeliverable.SNS),
        ],
    ),
    (
        "やまて映像舎",
        "やまてえいぞうしゃ",
        "映像制作",
        "活動紹介の動画を制作します（承認待ちのデモ）。",
        ["学術・文化・芸術・スポーツ"],
        ["山手"],
        BusinessStatus.PENDING,
        [("活動紹介動画の制作", ExchangeKind.PRO_BONO, ProBonoDeliverable.VIDEO)],
    ),
    (
        "北野コンサルティング",
        "きたのこんさるてぃんぐ",
        "経営コンサルティング",
        "事業評価や業務フローの見直しを支援します（承認待ちのデモ）。",
        ["団体の運営・活動の支援"],
        ["北野"],
        BusinessStatus.PENDING,
        [("事業評価の伴走", ExchangeKind.PRO_BONO, ProBonoDeliverable.EVALUATION)],
    ),
]


BULK_PREFIXES = [
    ("みらい", "みらい"),
    ("ひかり", "ひかり"),
    ("さくら", "さくら"),
    ("あおば", "あおば"),
    ("みなと", "みなと"),
    ("やまて", "やまて"),
    ("かわべ", "かわべ"),
    ("ほんまち", "ほんまち"),
    ("みどり", "みどり"),
    ("ひがし", "ひがし"),
    ("にしがおか", "にしがおか"),
    ("みなみ", "みなみ"),
    ("きたの", "きたの"),
    ("つばさ", "つばさ"),
    ("こもれび", "こもれび"),
]


BULK_INDUSTRIES = [
    ("工務店", "こうむてん", "建設"),
    ("商店", "しょうてん", "小売"),
    ("薬局", "やっきょく", "医療・薬局"),
    ("不動産", "ふどうさん", "不動産"),
    ("会計事務所", "かいけいじむしょ", "士業"),
    ("食品", "しょくひん", "食品"),
    ("システム", "しすてむ", "IT"),
    ("保険サービス", "ほけんさーびす", "保険"),
    ("ホテル", "ほてる", "宿泊"),
    ("法律事務所", "ほうりつじむしょ", "士業"),
    ("自動車", "じどうしゃ", "自動車"),
    ("電機", "でんき", "製造"),
]


BULK_FORMS = [
    ("株式会社", "かぶしきがいしゃ"),
    ("有限会社", "ゆうげんがいしゃ"),
    ("合同会社", "ごうどうがいしゃ"),
]


# Bulk businesses never offer flyers, so the design company stays the clear first answer in the demo.
BULK_DELIVERABLES = [d for d in ProBonoDeliverable.values if d not in (ProBonoDeliverable.FLYER,)]


OFFER_TITLES = {
    ExchangeKind.PEOPLE: "社員ボランティアの派遣",
    ExchangeKind.FUNDS: "活動資金の寄付",
    ExchangeKind.VENUE: "会議室の貸出",
    ExchangeKind.GOODS: "備品・物品の提供",
    ExchangeKind.PUBLICITY: "店頭でのチラシ掲示",
    ExchangeKind.PARTNER: "共催イベントの相手探し",
}


NEED_TITLES = {
    ExchangeKind.PEOPLE: "イベント当日のボランティア募集",
    ExchangeKind.FUNDS: "活動資金の支援",
    ExchangeKind.VENUE: "定例会の会場",
    ExchangeKind.GOODS: "備品（机・いす）の提供",
    ExchangeKind.PUBLICITY: "活動を広く知らせたい",
    ExchangeKind.PARTNER: "一緒に取り組む企業・団体",
}


GROUP_OFFER_TITLES = {
    ExchangeKind.PEOPLE: "地域行事への人手の協力",
    ExchangeKind.PUBLICITY: "会報での情報発信",
    ExchangeKind.PARTNER: "共同企画の相手",
}


DEPARTMENT_ITEMS = {
    "子ども家庭支援課": (
        [("子ども食堂の運営団体との連携", ExchangeKind.PARTNER, "")],
        [("子育てひろばの会議室", ExchangeKind.VENUE, "")],
        "子育て家庭の支援、子ども食堂・学習支援の取り組みとの連携を担当しています。",
    ),
    "環境政策課": (
        [("川辺の清掃活動の参加者", ExchangeKind.PEOPLE, "")],
        [("環境イベントの共催", ExchangeKind.PARTNER, "")],
        "ごみ減量、緑化、河川の美化などを市民・企業と進めています。",
    ),
    "市民協働推進課": (
        [("協働事業の広報", ExchangeKind.PUBLICITY, "")],
        [("市の広報紙での活動紹介", ExchangeKind.PUBLICITY, "")],
        "市民協働の推進、市民活動団体の支援、協働事業提案制度を担当しています。",
    ),
    "高齢福祉課": (
        [("見守り活動の担い手", ExchangeKind.PEOPLE, "")],
        [("介護予防講座の講師派遣", ExchangeKind.PEOPLE, "")],
        "高齢者の見守り、介護予防、地域の居場所づくりを担当しています。",
    ),
}


def _post_items(create, party, rows, **sets) -> None:
    """The needs or offers of one party (`create`: services.need_create or offer_create) from
    (title, kind, deliverable) rows, through the service as a person would post them; themes are
    the party's, `sets` adds others (the business's areas)."""
    for title, kind, deliverable in rows:
        create(
            party=party, title=title, kind=kind, deliverable=deliverable, themes=party.themes.all(), **sets
        )


def _random_item(
    model: type[Need | Offer],
    rng: random.Random,
    *,
    deliverables: list,
    pro_bono_title: str,
    titles: dict,
    open_share: float,
    **party,
) -> Need | Offer:
    """An unsaved need or offer of `party` for the bulk data: half of them pro bono work titled
    after a deliverable (`pro_bono_title` takes its name), the others of a kind from `titles`;
    open with the probability `open_share`."""
    if rng.random() < 0.5:
        deliverable = rng.choice(deliverables)
        return model(
            **party,
            title=pro_bono_title.format(ProBonoDeliverable(deliverable).label),
            kind=ExchangeKind.PRO_BONO,
            deliverable=deliverable,
            is_open=rng.random() < open_share,
        )
    kind = rng.choice(list(titles))
    return model(**party, title=titles[kind], kind=kind, is_open=rng.random() < open_share)


def _choose(rng: random.Random, items: list, low: int, high: int) -> list:
    return rng.sample(items, k=min(len(items), rng.randint(low, high)))


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@hook("seed_demo")
def seed(*, scale: int, rng: random.Random, out) -> None:
    themes = {t.short_name: t for t in Theme.objects.filter(is_npo_act_field=True)}
    theme_list = list(themes.values())
    areas = {a.name: a for a in Area.objects.all()}
    area_list = list(areas.values())
    business_user = User.objects.filter(email="business@example.jp").first()

    # Hand-made businesses, through the services, as a person would make them.
    for name, kana, industry, description, t_names, a_names, status, offers in HANDMADE_BUSINESSES:
        business = services.business_create(
            created_by=business_user if name == DESIGN_COMPANY else None,
            name=name,
            name_kana=kana,
            industry=industry,
            description=description,
            themes=[themes[t] for t in t_names if t in themes],
            areas=[areas[a] for a in a_names if a in areas],
            email="business@example.jp",
            contact_name="企業 健",
        )
        if status == BusinessStatus.APPROVED:
            services.business_approve(business=business)
        _post_items(services.offer_create, business, offers, areas=business.areas.all())

    # Many more businesses, in bulk (2,000 at the benchmark's scale).
    bulk = []
    for n in range(BUSINESSES_PER_SCALE * scale - len(HANDMADE_BUSINESSES)):
        prefix, prefix_kana = rng.choice(BULK_PREFIXES)
        suffix, suffix_kana, industry = rng.choice(BULK_INDUSTRIES)
        form, _form_kana = rng.choice(BULK_FORMS)
        name, kana = f"{prefix}{suffix}{form}", f"{prefix_kana}{suffix_kana}"
        roll = rng.random()
        status = (
            BusinessStatus.APPROVED
            if roll < 0.9
            else BusinessStatus.PENDING
            if roll < 0.95
            else BusinessStatus.INACTIVE
        )
        bulk.append(
            Business(
                name=name,
                name_kana=kana,
                industry=industry,
                status=status,
                email=f"biz{n}@example.jp",
                description=f"{industry}の事業者です。地域の活動を応援しています。",
            )
        )
    bulk = Business.objects.bulk_create(bulk, batch_size=500)
    through_t, through_a = Business.themes.through, Business.areas.through
    through_t.objects.bulk_create(
        [through_t(business_id=b.pk, theme_id=t.pk) for b in bulk for t in _choose(rng, theme_list, 1, 3)],
        batch_size=1000,
    )
    through_a.objects.bulk_create(
        [through_a(business_id=b.pk, area_id=a.pk) for b in bulk for a in _choose(rng, area_list, 1, 2)],
        batch_size=1000,
    )
    offers = [
        _random_item(
            Offer,
            rng,
            deliverables=BULK_DELIVERABLES,
            pro_bono_title="{}のプロボノ",
            titles=OFFER_TITLES,
            open_share=0.9,
            business=b,
        )
        for b in bulk
        for _i in range(rng.randint(1, 2))
    ]
    Offer.objects.bulk_create(offers, batch_size=1000)

    # Needs (and a few offers) of the registered groups.
    group_ids = list(
        Group.objects.filter(status=GroupStatus.APPROVED).order_by("pk").values_list("pk", flat=True)
    )
    needs, group_offers = [], []
    for gid in group_ids:
        if rng.random() < 0.3:
            needs.append(
                _random_item(
                    Need,
                    rng,
                    deliverables=ProBonoDeliverable.values,
                    pro_bono_title="{}をお願いしたい",
                    titles=NEED_TITLES,
                    open_share=0.85,
                    group_id=gid,
                )
            )
        if rng.random() < 0.08:
            kind = rng.choice(list(GROUP_OFFER_TITLES))
            group_offers.append(Offer(group_id=gid, title=GROUP_OFFER_TITLES[kind], kind=kind))
    Need.objects.bulk_create(needs, batch_size=1000)
    Offer.objects.bulk_create(group_offers, batch_size=1000)

    # A children's group asks for a flyer: the design company should come first.
    approved_kodomo = Group.objects.filter(
        status=GroupStatus.APPROVED, themes=themes.get("子どもの健全育成")
    ).order_by("pk")
    flyer_group = (
        approved_kodomo.filter(memberships__user__email="member@example.jp").first()
        or approved_kodomo.first()
    )
    member = User.objects.filter(email="member@example.jp").first()
    if flyer_group is not None and member is not None:
        # The demo member edits it, so that they can post a need and see the suggestions.
        GroupMembership.objects.get_or_create(
            group=flyer_group, user=member, defaults={"role": GroupMembership.Role.EDITOR}
        )
    if flyer_group is not None:
        services.need_create(
            party=flyer_group,
            title="子ども食堂のチラシ制作",
            kind=ExchangeKind.PRO_BONO,
            deliverable=ProBonoDeliverable.FLYER,
            description="毎月の子ども食堂の案内チラシを、見やすくデザインしてくださる方を探しています。",
            themes=[themes["子どもの健全育成"]],
            areas=[areas["本町"]] if "本町" in areas else [],
        )

    # A real city has about a hundred sections and public offices (100 at the benchmark's scale).
    _seed_more_departments(count=DEPARTMENTS_PER_SCALE * scale, themes=themes, rng=rng)

    # Departments: a description where there is none, and their own needs and offers.
    for department in Department.objects.filter(name__in=DEPARTMENT_ITEMS):
        dept_needs, dept_offers, description = DEPARTMENT_ITEMS[department.name]
        if not department.description:
            department.description = description
            department.save(update_fields=["description"])
        _post_items(services.need_create, department, dept_needs)
        _post_items(services.offer_create, department, dept_offers)

    matches = _seed_matches(rng=rng, scale=scale)
    out.write(
        f"  matching: 企業・事業者 {Business.objects.count()}, ニーズ {Need.objects.count()}, "
        f"提供 {Offer.objects.count()}, マッチング {matches}"
    )


def _seed_matches(*, rng: random.Random, scale: int) -> int:
    """Matches in every state over the last five fiscal years, with their history.

    Built in bulk, as match_create and match_transition would leave them (scored by
    matching.scoring, one status change per step): thousands of matches at the bench's scale,
    where the services' checks and locks per match took minutes.
    """
    from events.models import Program
    from matching.selectors import subject_profile

    staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    programs = list(Program.objects.filter(code__in=["networking", "pr_fair", "project_support", "festa"]))
    fitting = {}
    for offer in (
        Offer.objects.filter(is_open=True, business__status=BusinessStatus.APPROVED)
        .select_related("business")
        .order_by("pk")
    ):
        fitting.setdefault((offer.kind, offer.deliverable), []).append(offer)
    needs = list(
        Need.objects.filter(group__status=GroupStatus.APPROVED)
        .select_related("group")
        .order_by("pk")[: 400 * scale]
    )
    rng.shuffle(needs)
    profiles: dict[PartyRef, scoring.Profile] = {}

    def profile_of(party) -> scoring.Profile:
        ref = PartyRef.of(party)
        if ref not in profiles:  # a business is proposed to many groups: its profile once
            profiles[ref] = subject_profile(ref, party)[1]
        return profiles[ref]

    current = current_fiscal_year()
    per_year = 8 + 2 * scale
    used: set[tuple[int, int]] = set()
    matches: list[Match] = []
    steps_of: list[list[tuple[str, str, dt.datetime, str]]] = []
    intro_note = "紹介メールを送付。"
    note = "交流会で話題になり、センターから提案。"
    # The current year first, so that it always holds all five states.
    for fiscal_year in range(current, current - 5, -1):
        start = fiscal_year_start(fiscal_year)
        last_day = min(start + dt.timedelta(days=364), timezone.localdate() - dt.timedelta(days=1))
        span = max((last_day - start).days, 1)
        made = 0
        while made < per_year and needs:
            need = needs.pop()
            offers = fitting.get((need.kind, need.deliverable)) or fitting.get((need.kind, ""))
            if not offers:
                continue
            offer = rng.choice(offers)
            if (need.group_id, offer.business_id) in used:
                continue
            used.add((need.group_id, offer.business_id))
            n = made
            made += 1
            proposed_on = start + dt.timedelta(days=rng.randint(0, max(span - 60, 0)))
            program = rng.choice(programs) if programs and rng.random() < 0.7 else None
            created_at = _aware(proposed_on)
            match = services.match_proposed(
                party_a=need.group,
                party_b=offer.business,
                suggestion=scoring.score(profile_of(need.group), profile_of(offer.business)),
                created_by=staff,
                created_at=created_at,
                need=need,
                offer=offer,
                note=note,
                program=program,
            )
            steps = [("", MatchStatus.PROPOSED, created_at, note)]
            # Every state appears: the current year keeps all five, older years are mostly settled.
            path = [MatchStatus.INTRODUCED, MatchStatus.NEGOTIATING, MatchStatus.CONCLUDED]
            if fiscal_year == current:
                n_steps = n % 5  # 0 提案, 1 紹介済, 2 協議中, 3 成立, 4 不成立
            else:
                n_steps = 3 if rng.random() < 0.6 else 4
            moves = (
                path[: min(n_steps, 3)] if n_steps < 4 else [*path[: rng.randint(0, 2)], MatchStatus.DECLINED]
            )
            day = proposed_on
            for to_status in moves:
                day = min(day + dt.timedelta(days=rng.randint(3, 20)), last_day)
                at = _aware(day, 15)
                step_note = intro_note if to_status == MatchStatus.INTRODUCED else ""
                steps.append((match.status, to_status, at, step_note))
                match.status, match.status_changed_at = to_status, at
                if step_note and step_note not in match.note:
                    match.note = f"{match.note}\n{step_note}"
            if match.status != MatchStatus.PROPOSED:
                match.mail_sent_at = match.created_at
            matches.append(match)
            steps_of.append(steps)
    Match.objects.bulk_create(matches, batch_size=1000)
    MatchStatusChange.objects.bulk_create(
        [
            MatchStatusChange(
                match=match, from_status=before, to_status=after, changed_by=staff, changed_at=at, note=text
            )
            for match, steps in zip(matches, steps_of, strict=True)
            for before, after, at, text in steps
        ],
        batch_size=2000,
    )
    return len(matches)


# More sections and public offices, for a city-sized list at larger scales:
# (name, kana, division, kind, theme short names).
MORE_SECTIONS = [
    ("地域福祉課", "ちいきふくしか", "福祉部", "city", ["保健・医療・福祉"]),
    ("生活支援課", "せいかつしえんか", "福祉部", "city", ["保健・医療・福祉", "人権・平和"]),
    ("介護保険課", "かいごほけんか", "福祉部", "city", ["保健・医療・福祉"]),
    ("健康づくり課", "けんこうづくりか", "健康部", "city", ["保健・医療・福祉"]),
    ("保健予防課", "ほけんよぼうか", "健康部", "city", ["保健・医療・福祉"]),
    ("保育課", "ほいくか", "子ども未来部", "city", ["子どもの健全育成"]),
    ("青少年課", "せいしょうねんか", "子ども未来部", "city", ["子どもの健全育成", "社会教育"]),
    ("子育て支援課", "こそだてしえんか", "子ども未来部", "city", ["子どもの健全育成"]),
    ("学校教育課", "がっこうきょういくか", "教育委員会事務局", "city", ["子どもの健全育成", "社会教育"]),
    ("文化振興課", "ぶんかしんこうか", "市民生活部", "city", ["学術・文化・芸術・スポーツ"]),
    ("スポーツ推進課", "すぽーつすいしんか", "市民生活部", "city", ["学術・文化・芸術・スポーツ"]),
    ("地域振興課", "ちいきしんこうか", "市民生活部", "city", ["まちづくり"]),
    ("人権推進課", "じんけんすいしんか", "市民生活部", "city", ["人権・平和"]),
    ("消費生活課", "しょうひせいかつか", "市民生活部", "city", ["消費者の保護"]),
    ("ごみ減量推進課", "ごみげんりょうすいしんか", "環境部", "city", ["環境の保全"]),
    ("みどり公園課", "みどりこうえんか", "都市整備部", "city", ["環境の保全", "まちづくり"]),
    ("交通政策課", "こうつうせいさくか", "都市整備部", "city", ["まちづくり"]),
    ("住宅政策課", "じゅうたくせいさくか", "都市整備部", "city", ["まちづくり"]),
    ("農政課", "のうせいか", "経済部", "city", ["農山漁村・中山間地域", "経済活動の活性化"]),
    ("雇用労政課", "こようろうせいか", "経済部", "city", ["職業能力・雇用機会"]),
    ("企業立地課", "きぎょうりっちか", "経済部", "city", ["経済活動の活性化"]),
    ("情報政策課", "じょうほうせいさくか", "総務部", "city", ["情報化社会"]),
    ("広報課", "こうほうか", "総合政策部", "city", ["団体の運営・活動の支援"]),
    ("企画政策課", "きかくせいさくか", "総合政策部", "city", ["まちづくり"]),
    ("危機管理室", "ききかんりしつ", "総務部", "city", ["災害救援", "地域安全"]),
    ("交通安全課", "こうつうあんぜんか", "市民生活部", "city", ["地域安全"]),
    ("図書館", "としょかん", "教育委員会事務局", "public", ["社会教育"]),
    ("男女共同参画センター", "だんじょきょうどうさんかくせんたー", "市民生活部", "public", ["男女共同参画"]),
    ("国際交流協会", "こくさいこうりゅうきょうかい", "", "public", ["国際協力"]),
    ("シルバー人材センター", "しるばーじんざいせんたー", "", "public", ["職業能力・雇用機会"]),
    ("ボランティアセンター", "ぼらんてぃあせんたー", "", "swc", ["団体の運営・活動の支援"]),
    ("消防本部 予防課", "しょうぼうほんぶ よぼうか", "消防局", "city", ["災害救援", "地域安全"]),
    ("観光協会", "かんこうきょうかい", "", "public", ["観光"]),
    ("商工会議所", "しょうこうかいぎしょ", "", "public", ["経済活動の活性化"]),
]


# Offices in each district: (suffix, kana suffix, division, kind, theme short names).
DISTRICT_OFFICES = [
    ("地域包括支援センター", "ちいきほうかつしえんせんたー", "", "swc", ["保健・医療・福祉"]),
    ("公民館", "こうみんかん", "教育委員会事務局", "public", ["社会教育"]),
    ("地区センター", "ちくせんたー", "市民生活部", "city", ["まちづくり"]),
    ("児童館", "じどうかん", "子ども未来部", "public", ["子どもの健全育成"]),
    ("出張所", "しゅっちょうじょ", "市民生活部", "city", ["まちづくり", "地域安全"]),
]


# Sections of the city's departments (係), and more public facilities in each district: a
# city-sized list of 1,000 at the bench's --scale 10.
SUBSECTIONS = [
    ("庶務係", "しょむがかり"),
    ("企画係", "きかくがかり"),
    ("事業係", "じぎょうがかり"),
    ("相談係", "そうだんがかり"),
    ("地域連携係", "ちいきれんけいがかり"),
    ("管理係", "かんりがかり"),
    ("調整係", "ちょうせいがかり"),
    ("啓発係", "けいはつがかり"),
    ("支援係", "しえんがかり"),
    ("計画係", "けいかくがかり"),
    ("施設係", "しせつがかり"),
    ("推進係", "すいしんがかり"),
    ("助成係", "じょせいがかり"),
    ("広報係", "こうほうがかり"),
    ("研修係", "けんしゅうがかり"),
    ("調査係", "ちょうさがかり"),
    ("窓口係", "まどぐちがかり"),
    ("協働係", "きょうどうがかり"),
    ("給付係", "きゅうふがかり"),
    ("指導係", "しどうがかり"),
]
DISTRICT_FACILITIES = [
    ("第一小学校", "だいいちしょうがっこう", "教育委員会事務局", "public", ["子どもの健全育成", "社会教育"]),
    ("第二小学校", "だいにしょうがっこう", "教育委員会事務局", "public", ["子どもの健全育成", "社会教育"]),
    ("第三小学校", "だいさんしょうがっこう", "教育委員会事務局", "public", ["子どもの健全育成", "社会教育"]),
    ("第一中学校", "だいいちちゅうがっこう", "教育委員会事務局", "public", ["子どもの健全育成", "社会教育"]),
    ("第二中学校", "だいにちゅうがっこう", "教育委員会事務局", "public", ["子どもの健全育成", "社会教育"]),
    ("保育園", "ほいくえん", "子ども未来部", "public", ["子どもの健全育成"]),
    ("第二保育園", "だいにほいくえん", "子ども未来部", "public", ["子どもの健全育成"]),
    ("幼稚園", "ようちえん", "教育委員会事務局", "public", ["子どもの健全育成"]),
    ("放課後児童クラブ", "ほうかごじどうくらぶ", "子ども未来部", "public", ["子どもの健全育成"]),
    ("子育て支援センター", "こそだてしえんせんたー", "子ども未来部", "public", ["子どもの健全育成"]),
    ("老人福祉センター", "ろうじんふくしせんたー", "福祉部", "public", ["保健・医療・福祉"]),
    ("地区社会福祉協議会", "ちくしゃかいふくしきょうぎかい", "", "swc", ["保健・医療・福祉"]),
    ("消防分団", "しょうぼうぶんだん", "消防局", "city", ["災害救援", "地域安全"]),
    ("図書室", "としょしつ", "教育委員会事務局", "public", ["社会教育"]),
    ("コミュニティセンター", "こみゅにてぃせんたー", "市民生活部", "public", ["まちづくり"]),
    ("保健相談室", "ほけんそうだんしつ", "健康部", "city", ["保健・医療・福祉"]),
    ("地域活動支援センター", "ちいきかつどうしえんせんたー", "福祉部", "public", ["保健・医療・福祉"]),
    ("ふれあい会館", "ふれあいかいかん", "市民生活部", "public", ["まちづくり"]),
    ("防災倉庫管理室", "ぼうさいそうこかんりしつ", "総務部", "city", ["災害救援"]),
    ("環境美化センター", "かんきょうびかせんたー", "環境部", "city", ["環境の保全"]),
]


def _department_rows(areas: list[Area]):
    """(name, kana, division, kind, area, theme short names) of the departments beyond core's,
    sections and district offices first (the bench's scale 1 stops there), then 係 and facilities."""
    for name, kana, division, kind, tags in MORE_SECTIONS:
        yield name, kana, division, kind, None, tags
    yield from _in_each_district(DISTRICT_OFFICES, areas)
    sections = [(n, k, d, t) for n, k, d, kind, t in MORE_SECTIONS if kind == "city"]
    sections += [(n, k, d, DEPARTMENT_THEMES.get(n, [])) for n, k, d, kind in DEPARTMENTS if kind == "city"]
    for sub, sub_kana in SUBSECTIONS:
        for name, kana, division, tags in sections:
            yield f"{name} {sub}", f"{kana} {sub_kana}", division, "city", None, tags
    yield from _in_each_district(DISTRICT_FACILITIES, areas)


def _in_each_district(offices, areas: list[Area]):
    """One department row per (suffix, kana suffix, division, kind, tags) office and district."""
    for suffix, kana_suffix, division, kind, tags in offices:
        for area in areas:
            yield f"{area.name}{suffix}", f"{area.name_kana}{kana_suffix}", division, kind, area, tags


def _seed_more_departments(*, count: int, themes: dict, rng: random.Random) -> None:
    """Adds sections and district offices until there are ``count`` departments (none at scale 1),
    in bulk: a thousand departments at the bench's largest scale."""
    missing = count - Department.objects.count()
    if missing <= 0:
        return
    areas = list(Area.objects.order_by("order"))
    existing = set(Department.objects.values_list("name", flat=True))
    rows = list(itertools.islice((r for r in _department_rows(areas) if r[0] not in existing), missing))
    departments = Department.objects.bulk_create(
        [
            Department(
                name=name,
                name_kana=kana,
                division=division,
                kind=kind,
                email="city@example.jp",
                description=f"{name}です。市民活動団体との協働の窓口になります。",
            )
            for name, kana, division, kind, _area, _tags in rows
        ],
        batch_size=1000,
    )
    theme_through, area_through = Department.themes.through, Department.areas.through
    theme_rows, area_rows, halls = [], [], []
    for department, (_n, _k, _d, kind, area, tags) in zip(departments, rows, strict=True):
        department_themes = [themes[t] for t in tags if t in themes]
        theme_rows += [theme_through(department_id=department.pk, theme_id=t.pk) for t in department_themes]
        if area is not None:
            area_rows.append(area_through(department_id=department.pk, area_id=area.pk))
            if kind == "public":
                halls.append((department, department_themes, area))
        elif rng.random() < 0.3:
            area_rows += [
                area_through(department_id=department.pk, area_id=a.pk) for a in rng.sample(areas, 2)
            ]
    theme_through.objects.bulk_create(theme_rows, batch_size=2000)
    area_through.objects.bulk_create(area_rows, batch_size=2000)
    for department, department_themes, area in halls:
        # District halls lend their rooms to local groups.
        services.offer_create(
            party=department,
            title="集会室の貸し出し",
            kind=ExchangeKind.VENUE,
            themes=department_themes,
            areas=[area],
        )


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict:
    """The suggestions page of a registered group with an open flyer need, seen by center staff,
    and the public needs list."""
    from core.app_hooks import BenchPage
    from core.demo import DEMO_STAFF_EMAIL

    pages: dict = {"matching_index": reverse("matching:index")}
    group_id = (
        Need.objects.filter(
            is_open=True, group__status=GroupStatus.APPROVED, deliverable=ProBonoDeliverable.FLYER
        )
        .order_by("-pk")
        .values_list("group_id", flat=True)
        .first()
    )
    if group_id is not None:
        path = reverse("matching:suggestions", args=[PartyRef("group", group_id).key])
        pages["matching_suggestions"] = BenchPage(path=path, as_user=DEMO_STAFF_EMAIL)
    return pages
