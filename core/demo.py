"""core's demo data (seed_demo, run by ops): fictional Japanese names and places that every app's
demo draws from, the districts, the departments and one account per role."""

from __future__ import annotations

import random

from core.app_hooks import hook
from core.models import Area, Department, Theme, User
from core.roles import Role
from core.services import official_assign, user_create

FAMILY_NAMES = [
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山田", "やまだ"),
    ("佐々木", "ささき"),
    ("山口", "やまぐち"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
    ("木村", "きむら"),
    ("林", "はやし"),
    ("清水", "しみず"),
    ("森", "もり"),
    ("池田", "いけだ"),
    ("橋本", "はしもと"),
    ("石川", "いしかわ"),
    ("前田", "まえだ"),
    ("藤田", "ふじた"),
    ("岡田", "おかだ"),
    ("後藤", "ごとう"),
    ("長谷川", "はせがわ"),
    ("村上", "むらかみ"),
    ("近藤", "こんどう"),
]
GIVEN_NAMES = [
    ("陽子", "ようこ"),
    ("健太", "けんた"),
    ("美咲", "みさき"),
    ("大輔", "だいすけ"),
    ("恵子", "けいこ"),
    ("翔太", "しょうた"),
    ("由美", "ゆみ"),
    ("誠", "まこと"),
    ("彩", "あや"),
    ("浩二", "こうじ"),
    ("真理子", "まりこ"),
    ("拓也", "たくや"),
    ("直子", "なおこ"),
    ("修", "おさむ"),
    ("舞", "まい"),
    ("和夫", "かずお"),
    ("さくら", "さくら"),
    ("隆", "たかし"),
    ("千尋", "ちひろ"),
    ("悠斗", "ゆうと"),
]
# The fictional city of みらい市 and its districts.
AREAS = [
    ("本町", "ほんまち"),
    ("中央", "ちゅうおう"),
    ("東町", "ひがしまち"),
    ("西ケ丘", "にしがおか"),
    ("南台", "みなみだい"),
    ("北野", "きたの"),
    ("桜川", "さくらがわ"),
    ("緑が丘", "みどりがおか"),
    ("青葉", "あおば"),
    ("港町", "みなとまち"),
    ("山手", "やまて"),
    ("川辺", "かわべ"),
]
DEPARTMENTS = [
    ("市民協働推進課", "しみんきょうどうすいしんか", "市民生活部", "city"),
    ("子ども家庭支援課", "こどもかていしえんか", "子ども未来部", "city"),
    ("高齢福祉課", "こうれいふくしか", "福祉部", "city"),
    ("障害福祉課", "しょうがいふくしか", "福祉部", "city"),
    ("環境政策課", "かんきょうせいさくか", "環境部", "city"),
    ("防災危機管理課", "ぼうさいききかんりか", "総務部", "city"),
    ("生涯学習課", "しょうがいがくしゅうか", "教育委員会事務局", "city"),
    ("商工観光課", "しょうこうかんこうか", "経済部", "city"),
    ("男女共同参画課", "だんじょきょうどうさんかくか", "市民生活部", "city"),
    ("国際交流課", "こくさいこうりゅうか", "市民生活部", "city"),
    ("都市計画課", "としけいかくか", "都市整備部", "city"),
    ("みらい市社会福祉協議会", "みらいししゃかいふくしきょうぎかい", "", "swc"),
]
# Department → the short names of the NPO Act themes it is responsible for.
DEPARTMENT_THEMES = {
    "市民協働推進課": ["まちづくり", "団体の運営・活動の支援"],
    "子ども家庭支援課": ["子どもの健全育成"],
    "高齢福祉課": ["保健・医療・福祉"],
    "障害福祉課": ["保健・医療・福祉", "人権・平和"],
    "環境政策課": ["環境の保全"],
    "防災危機管理課": ["災害救援", "地域安全"],
    "生涯学習課": ["社会教育", "学術・文化・芸術・スポーツ"],
    "商工観光課": ["観光", "経済活動の活性化", "職業能力・雇用機会"],
    "男女共同参画課": ["男女共同参画"],
    "国際交流課": ["国際協力"],
    "都市計画課": ["まちづくり"],
    "みらい市社会福祉協議会": ["保健・医療・福祉", "子どもの健全育成", "団体の運営・活動の支援"],
}

DEMO_PASSWORD = "kyodo-demo-2025"


# The demo covers the current fiscal year and the five before it; the bench's larger datasets
# reach further back (ten fiscal years at --scale 10), counted from the current fiscal year.
DEMO_YEARS_BACK = 5
MAX_DEMO_YEARS_BACK = 9


def demo_years_back(scale: int) -> int:
    """How many fiscal years before the current one the demo's dated records reach."""
    return min(MAX_DEMO_YEARS_BACK, DEMO_YEARS_BACK + max(0, scale - 2) // 2)


def person_name(rng: random.Random) -> tuple[str, str]:
    """(氏名, ふりがな) such as ("佐藤 陽子", "さとう ようこ")."""
    family, family_kana = rng.choice(FAMILY_NAMES)
    given, given_kana = rng.choice(GIVEN_NAMES)
    return f"{family} {given}", f"{family_kana} {given_kana}"


def phone_number(rng: random.Random) -> str:
    # 000 is never a real area code: demo numbers cannot ring anyone.
    return f"000-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"


DEMO_STAFF_EMAIL = "staff@example.jp"
DEMO_MEMBER_EMAIL = "member@example.jp"


@hook("seed_demo")
def seed(*, scale: int, rng: random.Random, out) -> None:
    for order, (name, kana) in enumerate(AREAS, start=1):
        Area.objects.get_or_create(name=name, defaults={"name_kana": kana, "order": order})
    themes_by_short = {theme.short_name: theme for theme in Theme.objects.all()}
    for name, kana, division, kind in DEPARTMENTS:
        department, _created = Department.objects.get_or_create(
            name=name,
            defaults={"name_kana": kana, "division": division, "kind": kind, "email": "city@example.jp"},
        )
        department.themes.set([themes_by_short[s] for s in DEPARTMENT_THEMES.get(name, [])])
    # One account per role, all with the demo password.
    accounts = [
        (DEMO_STAFF_EMAIL, "協働 花子", "きょうどう はなこ", (Role.STAFF,), True),
        ("staff2@example.jp", "支援 太郎", "しえん たろう", (Role.STAFF,), False),
        ("official@example.jp", "市役 一郎", "しやく いちろう", (Role.OFFICIAL,), False),
        ("committee@example.jp", "評価 京子", "ひょうか きょうこ", (Role.COMMITTEE,), False),
        (DEMO_MEMBER_EMAIL, "市民 さくら", "しみん さくら", (), False),
        ("business@example.jp", "企業 健", "きぎょう けん", (), False),
    ]
    for email, name, kana, roles, superuser in accounts:
        if not User.objects.filter(email=email).exists():
            user_create(
                email=email,
                password=DEMO_PASSWORD,
                full_name=name,
                full_name_kana=kana,
                roles=roles,
                is_superuser=superuser,
            )
    official_assign(
        user=User.objects.get(email="official@example.jp"),
        department=Department.objects.get(name="子ども家庭支援課"),
    )
    areas, departments = Area.objects.count(), Department.objects.count()
    out.write(f"  core: {areas} 地区, {departments} 担当課, {len(accounts)} アカウント")


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict:
    from core.app_hooks import BenchPage

    # Anonymous visitors get the home page from the cache (core/pagecache.py).
    return {"home": BenchPage(path="/", target_share=0.5)}
