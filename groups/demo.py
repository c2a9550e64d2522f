"""Demo groups for seed_demo: about 300 × scale believable, fictional groups of みらい市.

Bulk inserts keep scale=34 (about 10,000 groups) to a couple of minutes, but every group goes
through the same normalisation as Group.clean() and Group.save() (refresh_derived_fields, which
bulk_create runs) and gets a creation record in its change history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core import demo
from core.app_hooks import hook
from core.fiscal import current_fiscal_year, fiscal_year_of, fiscal_year_short_code
from core.models import Area, Theme, User
from groups.models import (
    CORPORATE_LEGAL_FORMS,
    Group,
    GroupInvitation,
    GroupMembership,
    GroupRenewal,
    GroupStatus,
    LegalForm,
    RegistrationCounter,
    RenewalReminder,
)
from groups.validators import corporate_number_check_digit

GROUPS_PER_SCALE = 300
FIRST_FISCAL_YEAR = 2021

# (name, reading, theme short names, purpose, activities)
TOPICS = [
    (
        "子ども食堂",
        "こどもしょくどう",
        ["子どもの健全育成", "保健・医療・福祉"],
        "地域の子どもたちが安心して食事をとり、過ごせる居場所をつくります。",
        "毎月第2・第4土曜日に{area}地区センターで子ども食堂を開いています。食材は地元の農家や商店から寄付をいただいています。",
    ),
    (
        "子育てサロン",
        "こそだてさろん",
        ["子どもの健全育成"],
        "子育て中の親子が気軽に集まり、悩みを話し合える場をつくります。",
        "毎週水曜日の午前中、{area}の集会所で乳幼児親子のサロンを開き、保健師さんを招いた講座も行っています。",
    ),
    (
        "見守り隊",
        "みまもりたい",
        ["地域安全", "子どもの健全育成"],
        "登下校の子どもたちと一人暮らしの高齢者を、地域ぐるみで見守ります。",
        "平日の朝と夕方に{area}の通学路で見守り活動をしています。年2回、防犯講習会を開いています。",
    ),
    (
        "環境ネットワーク",
        "かんきょうねっとわーく",
        ["環境の保全", "まちづくり"],
        "川と緑を守り、次の世代に豊かな自然を引き継ぎます。",
        "{area}の川沿いで毎月清掃活動を行い、夏には子ども向けの水辺の生き物観察会を開いています。",
    ),
    (
        "里山保全の会",
        "さとやまほぜんのかい",
        ["環境の保全", "農山漁村・中山間地域"],
        "市内に残る里山の手入れを通じて、人と自然のつながりを取り戻します。",
        "毎月第1日曜日に下草刈りや竹林整備をしています。収穫したタケノコは地域の子ども食堂に届けています。",
    ),
    (
        "防災会",
        "ぼうさいかい",
        ["災害救援", "地域安全"],
        "災害に強い地域をつくるため、日頃からの備えと助け合いの仕組みを整えます。",
        "{area}で年1回の防災訓練と、避難所運営ゲーム（HUG）の体験会を開いています。要支援者の名簿づくりにも取り組んでいます。",
    ),
    (
        "国際交流サロン",
        "こくさいこうりゅうさろん",
        ["国際協力", "人権・平和"],
        "外国にルーツを持つ住民と日本人住民が、互いの文化を学び合える地域をつくります。",
        "毎月、料理や音楽を通じた交流会を開いています。行政の手続きや学校からのお知らせの翻訳も手伝っています。",
    ),
    (
        "日本語教室",
        "にほんごきょうしつ",
        ["国際協力", "社会教育"],
        "日本語を学びたい外国人住民が、暮らしに必要な日本語を身につけられるよう支えます。",
        "毎週土曜日の午後、{area}公民館でボランティアによる日本語教室を開いています。やさしい日本語の講座も行っています。",
    ),
    (
        "傾聴ボランティア",
        "けいちょうぼらんてぃあ",
        ["保健・医療・福祉"],
        "話を聴くことを通じて、高齢者の孤立を防ぎ、心の支えになります。",
        "市内の高齢者施設やご自宅を訪問し、お話を伺っています。年に一度、傾聴ボランティア養成講座を開いています。",
    ),
    (
        "まちづくり協議会",
        "まちづくりきょうぎかい",
        ["まちづくり"],
        "住民・商店・学校が話し合い、住みやすい{area}のまちをつくります。",
        "月1回の協議会のほか、{area}の夏祭りや花いっぱい運動、空き家の活用の検討をしています。",
    ),
    (
        "音楽サークル",
        "おんがくさーくる",
        ["学術・文化・芸術・スポーツ"],
        "音楽を楽しみながら、世代を超えた交流を広げます。",
        "毎週練習をしており、地域のお祭りや高齢者施設で年10回ほど演奏会を開いています。",
    ),
    (
        "手話サークル",
        "しゅわさーくる",
        ["保健・医療・福祉", "人権・平和"],
        "手話を学び、聞こえない人と聞こえる人が共に暮らせる地域をつくります。",
        "毎週木曜日の夜に手話の学習会を開き、地域の行事で手話通訳のお手伝いをしています。",
    ),
    (
        "フードバンク",
        "ふーどばんく",
        ["保健・医療・福祉", "経済活動の活性化"],
        "食品ロスを減らし、食べ物に困っている家庭に届けます。",
        "家庭や企業から余った食品を集め、子ども食堂や生活に困っている世帯にお届けしています。",
    ),
    (
        "プレーパーク",
        "ぷれーぱーく",
        ["子どもの健全育成", "まちづくり"],
        "子どもたちが自分の責任で自由に遊べる遊び場を地域につくります。",
        "毎月第3日曜日に{area}の公園でプレーパークを開いています。プレーリーダーの研修も行っています。",
    ),
    (
        "読み聞かせの会",
        "よみきかせのかい",
        ["社会教育", "子どもの健全育成"],
        "絵本の読み聞かせを通じて、子どもたちに本の楽しさを伝えます。",
        "市立図書館と{area}の小学校で、毎週読み聞かせをしています。大型紙芝居の上演もしています。",
    ),
    (
        "認知症カフェ",
        "にんちしょうかふぇ",
        ["保健・医療・福祉"],
        "認知症の人とその家族、地域の人が気軽に集い、支え合える場をつくります。",
        "毎月第2金曜日に{area}のカフェを借りて認知症カフェを開いています。専門職による相談コーナーもあります。",
    ),
    (
        "ＮＰＯサポートセンター",
        "えぬぴーおーさぽーとせんたー",
        ["団体の運営・活動の支援", "まちづくり"],
        "市民活動団体の運営を支え、NPOどうしのつながりをつくります。",
        "会計や広報の講座、助成金申請の相談会を開いています。団体どうしの交流会も年3回行っています。",
    ),
    (
        "男女共同参画フォーラム",
        "だんじょきょうどうさんかくふぉーらむ",
        ["男女共同参画"],
        "性別にかかわらず、誰もが自分らしく活躍できる地域をめざします。",
        "年1回のフォーラムと、働く女性のための交流会、父親の育児講座を開いています。",
    ),
    (
        "ITサポート隊",
        "あいてぃーさぽーとたい",
        ["情報化社会", "団体の運営・活動の支援"],
        "高齢者や市民活動団体のデジタル化を支えます。",
        "スマートフォン教室を毎月開き、団体のホームページやSNSの立ち上げもお手伝いしています。",
    ),
    (
        "科学あそび教室",
        "かがくあそびきょうしつ",
        ["科学技術", "子どもの健全育成"],
        "実験や工作を通じて、子どもたちに科学のおもしろさを伝えます。",
        "夏休みと冬休みに{area}公民館で科学実験教室を開いています。退職した技術者が講師です。",
    ),
    (
        "商店街応援団",
        "しょうてんがいおうえんだん",
        ["経済活動の活性化", "まちづくり", "観光"],
        "地元の商店街を元気にし、にぎわいのあるまちをつくります。",
        "{area}商店街でマルシェやスタンプラリーを企画しています。空き店舗を使った子どもの職業体験も行っています。",
    ),
    (
        "就労支援ネット",
        "しゅうろうしえんねっと",
        ["職業能力・雇用機会", "保健・医療・福祉"],
        "働きたい若者や障害のある人が、地域で働き続けられるよう支えます。",
        "就労体験の受け入れ先を地域の事業所と開拓し、面接の練習会や職場見学を行っています。",
    ),
    (
        "消費生活研究会",
        "しょうひせいかつけんきゅうかい",
        ["消費者の保護"],
        "悪質な商法の被害を防ぎ、賢い消費者を増やします。",
        "出前講座で詐欺被害の防止を呼びかけ、寸劇を使った啓発活動をしています。",
    ),
    (
        "観光ボランティアガイド",
        "かんこうぼらんてぃあがいど",
        ["観光", "学術・文化・芸術・スポーツ"],
        "みらい市の歴史と魅力を、訪れる人に伝えます。",
        "週末に市内の史跡を案内するガイドツアーを行い、ガイドマップも作っています。",
    ),
    (
        "スポーツクラブ",
        "すぽーつくらぶ",
        ["学術・文化・芸術・スポーツ", "保健・医療・福祉"],
        "誰もが気軽にスポーツを楽しめる、地域のクラブをつくります。",
        "{area}の小学校体育館で、子どもから高齢者までが参加できる教室を週3回開いています。",
    ),
    (
        "障害者の余暇活動の会",
        "しょうがいしゃのよかかつどうのかい",
        ["保健・医療・福祉", "人権・平和"],
        "障害のある人が休日を楽しく過ごせる機会をつくります。",
        "月2回、ボランティアと一緒に外出やものづくりを楽しむ活動をしています。",
    ),
    (
        "平和を語り継ぐ会",
        "へいわをかたりつぐかい",
        ["人権・平和", "社会教育"],
        "戦争の体験を聞き取り、次の世代に平和の大切さを語り継ぎます。",
        "体験談の聞き取りと記録集づくり、小中学校での出前授業を行っています。",
    ),
    (
        "農園クラブ",
        "のうえんくらぶ",
        ["農山漁村・中山間地域", "環境の保全"],
        "耕作放棄地を活かし、土に触れる喜びを分かち合います。",
        "{area}の農地を借りて野菜づくりをしています。収穫祭には地域の親子を招いています。",
    ),
]
PREFIX_WORDS = [
    ("みらい", "みらい"),
    ("ひまわり", "ひまわり"),
    ("さくら", "さくら"),
    ("あおぞら", "あおぞら"),
    ("にじいろ", "にじいろ"),
    ("わかば", "わかば"),
    ("ふれあい", "ふれあい"),
    ("ささえあい", "ささえあい"),
    ("きずな", "きずな"),
    ("ほほえみ", "ほほえみ"),
    ("つばさ", "つばさ"),
    ("こもれび", "こもれび"),
    # More words, so that the names suffice for the benchmark's 10,000+ groups.
    ("たんぽぽ", "たんぽぽ"),
    ("すずらん", "すずらん"),
    ("あゆみ", "あゆみ"),
    ("はばたき", "はばたき"),
    ("めぐみ", "めぐみ"),
    ("ゆめの木", "ゆめのき"),
    ("みどりの風", "みどりのかぜ"),
    ("ひだまり", "ひだまり"),
]
CHOME = [
    ("", ""),
    ("一丁目", "いっちょうめ"),
    ("二丁目", "にちょうめ"),
    ("三丁目", "さんちょうめ"),
    ("四丁目", "よんちょうめ"),
    ("五丁目", "ごちょうめ"),
]
SUFFIXES = [
    ("", ""),
    ("の会", "のかい"),
    ("ネット", "ねっと"),
    ("クラブ", "くらぶ"),
    ("プロジェクト", "ぷろじぇくと"),
    ("みらい", "みらい"),
]
LEGAL_FORM_WEIGHTS = [
    (LegalForm.VOLUNTARY, 45),
    (LegalForm.NPO, 28),
    (LegalForm.NEIGHBORHOOD, 8),
    (LegalForm.GENERAL_INCORPORATED, 8),
    (LegalForm.SOCIAL_WELFARE, 3),
    (LegalForm.COMPANY, 3),
    (LegalForm.OTHER, 5),
]
STATUS_WEIGHTS = [
    (GroupStatus.APPROVED, 78),
    (GroupStatus.PENDING, 6),
    (GroupStatus.RETURNED, 3),
    (GroupStatus.PAUSED, 4),
    (GroupStatus.WITHDRAWN, 4),
    (GroupStatus.DRAFT, 5),
]
RETURN_REASONS = [
    "活動の目的と主な活動内容をもう少し具体的に書いてください（いつ・どこで・誰と）。",
    "法人番号が登記簿の番号と一致しません。ご確認ください。",
    "連絡先の電話番号がつながりませんでした。正しい番号をお知らせください。",
]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _corporate_number(rng: random.Random) -> str:
    base = f"{rng.randint(1, 9)}{rng.randint(0, 10**11 - 1):011d}"
    return f"{corporate_number_check_digit(base)}{base}"


def _names(rng: random.Random, count: int, areas: list[Area]):
    prefixes = [(a.name + c, (a.name_kana or a.name) + ck) for a in areas for c, ck in CHOME] + PREFIX_WORDS
    if count > len(prefixes) * len(TOPICS) * 5:
        # The bench's 100,000 groups outnumber these names: a word before the district as well
        # (ひまわり本町一丁目子ども食堂). Smaller datasets keep the shorter names.
        prefixes += [
            (word + a.name + c, word_kana + (a.name_kana or a.name) + ck)
            for word, word_kana in PREFIX_WORDS
            for a in areas
            for c, ck in CHOME
        ]
    seen: set[str] = set()
    attempts = 0
    while len(seen) < count and attempts < count * 20:
        attempts += 1
        topic = rng.choice(TOPICS)
        prefix, prefix_kana = rng.choice(prefixes)
        suffix, suffix_kana = rng.choice(SUFFIXES) if not topic[0].endswith(("会", "隊", "団")) else ("", "")
        name = f"{prefix}{topic[0]}{suffix}"
        if name in seen:
            continue
        seen.add(name)
        yield name, f"{prefix_kana}{topic[1]}{suffix_kana}", topic


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


@hook("seed_demo")
def seed(*, scale: int, rng: random.Random, out) -> None:
    areas = list(Area.objects.order_by("order", "pk"))
    themes = {t.short_name: t for t in Theme.objects.all()}
    staff = User.objects.filter(email="staff@example.jp").first()
    member = User.objects.filter(email="member@example.jp").first()
    today = timezone.localdate()
    this_year = current_fiscal_year()
    count = GROUPS_PER_SCALE * scale

    # Owners: one account per ~5 groups, created in bulk with one password hash (the demo password).
    password = make_password(demo.DEMO_PASSWORD)
    owner_count = max(20, count // 5)
    owners = []
    for i in range(owner_count):
        full_name, kana = demo.person_name(rng)
        owners.append(
            User(
                email=f"group{i + 1:05d}@example.jp",
                full_name=full_name,
                full_name_kana=kana,
                password=password,
            )
        )
    User.objects.bulk_create(owners, batch_size=1000, ignore_conflicts=True)
    owners = list(User.objects.filter(email__in=[u.email for u in owners]).order_by("email"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in owners],
        batch_size=1000,
        ignore_conflicts=True,
    )

    groups: list[Group] = []
    topics: list[tuple] = []
    for name, kana, topic in _names(rng, count, areas):
        legal_form = _weighted(rng, LEGAL_FORM_WEIGHTS)
        status = _weighted(rng, STATUS_WEIGHTS)
        area = rng.choice(areas)
        contact, _contact_kana = demo.person_name(rng)
        representative, _rep_kana = demo.person_name(rng)
        display_name = (
            f"特定非営利活動法人{name}" if legal_form == LegalForm.NPO and rng.random() < 0.3 else name
        )
        group = Group(
            name=display_name,
            name_kana=kana,
            legal_form=legal_form,
            corporate_number=_corporate_number(rng) if legal_form in CORPORATE_LEGAL_FORMS else "",
            purpose=topic[3].format(area=area.name),
            activities=topic[4].format(area=area.name),
            founded_year=rng.randint(1985, today.year),
            member_count=rng.choice([5, 8, 12, 15, 20, 25, 30, 40, 60, 120]),
            representative_name=representative,
            representative_name_public=rng.random() < 0.6,
            contact_name=contact,
            contact_name_public=rng.random() < 0.3,
            email=f"info{len(groups) + 1:05d}@example.jp",
            email_public=rng.random() < 0.3,
            phone=demo.phone_number(rng),
            phone_public=rng.random() < 0.4,
            postal_code=f"000-{rng.randint(0, 9999):04d}",
            address=f"みらい市{area.name}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
            address_public=rng.random() < 0.3,
            website=f"https://example.jp/groups/{len(groups) + 1}/" if rng.random() < 0.4 else "",
            status=status,
        )
        if status in (GroupStatus.APPROVED, GroupStatus.PAUSED, GroupStatus.WITHDRAWN):
            group.registered_on = _random_date(rng, dt.date(FIRST_FISCAL_YEAR, 4, 1), today)
            registered_fy = fiscal_year_of(group.registered_on)
            group.last_renewed_fiscal_year = (
                this_year if rng.random() < 0.65 else rng.randint(registered_fy, this_year)
            )
        if status not in (GroupStatus.DRAFT,):
            submitted = (
                group.registered_on - dt.timedelta(days=rng.randint(3, 20))
                if group.registered_on
                else (_random_date(rng, today - dt.timedelta(days=40), today))
            )
            group.submitted_at = min(
                timezone.make_aware(dt.datetime.combine(submitted, dt.time(10, 0))), timezone.now()
            )
        if status == GroupStatus.RETURNED:
            group.status_reason = rng.choice(RETURN_REASONS)
        if status == GroupStatus.PAUSED:
            group.status_reason = "代表者の転居のため、しばらく活動を休みます。"
        group.clean()  # names and addresses in the spelling every write path stores (ＮＰＯ → NPO)
        groups.append(group)
        topics.append((topic, area))

    # Registration numbers: in order of registration date within each fiscal year (R3-0001, ...).
    by_year: dict[int, list[Group]] = defaultdict(list)
    for group in groups:
        if group.registered_on:
            by_year[fiscal_year_of(group.registered_on)].append(group)
    for fiscal_year, members in by_year.items():
        members.sort(key=lambda g: g.registered_on)
        for number, group in enumerate(members, start=1):
            group.registration_number = f"{fiscal_year_short_code(fiscal_year)}-{number:04d}"
        RegistrationCounter.objects.update_or_create(
            fiscal_year=fiscal_year, defaults={"last_number": len(members)}
        )

    # The demo member owns an approved group, a returned application and a draft (to try every screen).
    if member:
        for group, status in zip(
            groups[:3], [GroupStatus.APPROVED, GroupStatus.RETURNED, GroupStatus.DRAFT], strict=True
        ):
            if group.status != status and not group.registration_number:
                group.status = status
                group.status_reason = RETURN_REASONS[0] if status == GroupStatus.RETURNED else ""
    created = bulk_create_with_history(
        groups, Group, batch_size=500, default_user=staff, default_change_reason="デモデータ"
    )
    created.sort(key=lambda g: g.pk)

    # Themes, areas and their snapshot in each group's first history record.
    Through = Group.themes.through
    AreaThrough = Group.areas.through
    theme_rows, area_rows = [], []
    for group, (topic, area) in zip(created, topics, strict=True):
        chosen = {themes[s] for s in topic[2] if s in themes}
        if rng.random() < 0.3:
            chosen.add(rng.choice(list(themes.values())))
        for theme in chosen:
            theme_rows.append(Through(group_id=group.pk, theme_id=theme.pk))
        group_areas = {area} | ({rng.choice(areas)} if rng.random() < 0.35 else set())
        for a in group_areas:
            area_rows.append(AreaThrough(group_id=group.pk, area_id=a.pk))
    Through.objects.bulk_create(theme_rows, batch_size=2000)
    AreaThrough.objects.bulk_create(area_rows, batch_size=2000)
    history_ids = dict(Group.history.filter(id__in=[g.pk for g in created]).values_list("id", "history_id"))
    HistoricalThemes = apps.get_model("groups", "HistoricalGroup_themes")
    HistoricalAreas = apps.get_model("groups", "HistoricalGroup_areas")
    HistoricalThemes.objects.bulk_create(
        [
            HistoricalThemes(
                id=r.pk, history_id=history_ids[r.group_id], group_id=r.group_id, theme_id=r.theme_id
            )
            for r in theme_rows
        ],
        batch_size=2000,
    )
    HistoricalAreas.objects.bulk_create(
        [
            HistoricalAreas(
                id=r.pk, history_id=history_ids[r.group_id], group_id=r.group_id, area_id=r.area_id
            )
            for r in area_rows
        ],
        batch_size=2000,
    )

    # Owners (and a co-editor for some groups); the demo member owns the first few.
    memberships = []
    for index, group in enumerate(created):
        owner = member if (member and index < 3) else owners[index % len(owners)]
        memberships.append(
            GroupMembership(group_id=group.pk, user_id=owner.pk, role=GroupMembership.Role.OWNER)
        )
        if rng.random() < 0.2:
            editor = owners[(index * 7 + 3) % len(owners)]
            if editor.pk != owner.pk:
                memberships.append(
                    GroupMembership(group_id=group.pk, user_id=editor.pk, role=GroupMembership.Role.EDITOR)
                )
    GroupMembership.objects.bulk_create(memberships, batch_size=2000, ignore_conflicts=True)

    # Renewal records and reminders.
    renewals = [
        GroupRenewal(group_id=g.pk, fiscal_year=g.last_renewed_fiscal_year, confirmed_by_id=None)
        for g in created
        if g.last_renewed_fiscal_year
    ]
    GroupRenewal.objects.bulk_create(renewals, batch_size=2000, ignore_conflicts=True)
    reminders = [
        RenewalReminder(group_id=g.pk, fiscal_year=this_year, recipients="(デモ)")
        for g in created
        if g.status == GroupStatus.APPROVED
        and (g.last_renewed_fiscal_year or 0) < this_year
        and rng.random() < 0.5
    ]
    RenewalReminder.objects.bulk_create(reminders, batch_size=2000)
    invitations = [
        GroupInvitation(group_id=g.pk, email=f"invitee{g.pk}@example.jp", invited_by_id=owners[0].pk)
        for g in created[: max(3, scale * 3)]
    ]
    for invitation in invitations:
        invitation.token = f"demo-{invitation.group_id}-{rng.getrandbits(64):016x}"
    GroupInvitation.objects.bulk_create(invitations)

    # Bulk loads leave PostgreSQL's planner statistics empty (rows=1 estimates, bad plans): refresh them.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "groups_group",
                "groups_group_themes",
                "groups_group_areas",
                "groups_groupmembership",
            ):
                cursor.execute(f"ANALYZE {table}")

    approved = sum(1 for g in created if g.status == GroupStatus.APPROVED)
    pending = sum(1 for g in created if g.status == GroupStatus.PENDING)
    out.write(
        f"  groups: {len(created)} 団体（登録 {approved}、申請中 {pending}）、{len(owners)} 団体アカウント"
    )


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict:
    from core.models import Area, Theme
    from groups.models import Group, GroupStatus

    theme = Theme.objects.filter(short_name="子どもの健全育成").first() or Theme.objects.first()
    area = Area.objects.order_by("order").first()
    group = Group.objects.filter(status=GroupStatus.APPROVED).order_by("pk").first()
    from core.app_hooks import BenchPage
    from core.demo import DEMO_MEMBER_EMAIL

    # The directory's first page, as an anonymous visitor opens it (cached: core/pagecache.py).
    pages: dict = {"group_directory": BenchPage(path=reverse("groups:index"), target_share=0.5)}
    if theme and area:
        # A keyword and two filters over the whole directory (trigram index on PostgreSQL), seen
        # by a signed-in member: the search itself, not the anonymous visitors' cached copy.
        pages["group_directory_search"] = BenchPage(
            path=f"{reverse('groups:index')}?q=%E3%81%93%E3%81%A9%E3%82%82&theme={theme.pk}&area={area.pk}",
            as_user=DEMO_MEMBER_EMAIL,
            target_share=0.2,  # a public page's target, though measured signed in
        )
    if group:
        pages["group_detail"] = group.get_absolute_url()
    return pages
