"""Demo and bench data of the info app: grants of みらい市, and 10,000 saved searches for the bench."""

from __future__ import annotations

import datetime as dt
import random

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.app_hooks import hook
from core.models import Department, Theme, User
from info.models import AlertDelivery, Frequency, Grant, SavedSearch, SearchKind
from info.services import grant_create

# (provider, title, summary, min, max, legal forms, theme short names, days until the deadline, department)
GRANTS = [
    (
        "みらい市 子ども家庭支援課",
        "子どもの居場所づくり応援補助金",
        "子ども食堂、学習支援、プレーパークなど、地域の子どもの居場所を開く活動の立ち上げと運営を支援します。補助率は対象経費の3分の2です。",
        50_000,
        300_000,
        [],
        ["子どもの健全育成"],
        20,
        "子ども家庭支援課",
    ),
    (
        "みらい市 市民協働推進課",
        "市民活動スタートアップ助成",
        "設立から3年以内の団体の、最初の事業にかかる経費（会場費・広報費・消耗品費）を助成します。",
        None,
        100_000,
        ["voluntary", "npo", "general"],
        [],
        45,
        None,
    ),
    (
        "公益財団法人 みらい地域振興財団",
        "地域の環境保全活動助成",
        "川や里山の清掃、生きものの調査、環境学習など、地域の自然を守る活動に助成します。",
        100_000,
        500_000,
        ["npo", "general", "voluntary"],
        ["環境の保全"],
        60,
        None,
    ),
    (
        "みらい市社会福祉協議会",
        "ふれあいサロン運営費助成",
        "高齢者や子育て中の親子が集うサロンの運営費（茶菓代・会場費）を年額で助成します。",
        None,
        60_000,
        ["voluntary", "neighborhood"],
        ["保健・医療・福祉", "子どもの健全育成"],
        None,
        None,
    ),
    (
        "株式会社みらい銀行 地域貢献基金",
        "まちづくり活動応援基金",
        "商店街のにぎわいづくり、空き家の活用など、まちの活性化につながる活動を応援します。",
        200_000,
        1_000_000,
        ["npo", "general"],
        ["まちづくり", "経済活動の活性化"],
        8,
        None,
    ),
    (
        "みらい市 防災課",
        "地域防災活動補助金",
        "自主防災組織・町内会の防災訓練、備蓄品の購入を補助します。",
        None,
        150_000,
        ["neighborhood"],
        ["災害救援", "地域安全"],
        -30,
        None,
    ),
]


@hook("seed_demo")
def seed_demo(*, scale: int, rng: random.Random, out) -> None:
    if Grant.objects.exists():
        out.write(f"  info: 助成金 {Grant.objects.count()}件（作成済み）")
        return
    today = timezone.localdate()
    staff = User.objects.filter(email="staff@example.jp").first()
    themes = {theme.short_name: theme for theme in Theme.objects.all()}
    for provider, title, summary, low, high, forms, theme_names, days, department in GRANTS:
        grant_create(
            user=staff,
            provider=provider,
            title=title,
            summary=summary,
            amount_min=low,
            amount_max=high,
            legal_forms=forms,
            themes=[themes[name] for name in theme_names if name in themes],
            opens_on=today - dt.timedelta(days=90) if days is not None else None,
            closes_on=today + dt.timedelta(days=days) if days is not None else None,
            how_to_apply="申請書（様式第1号）と事業計画書を、締切日までに担当窓口へ持参または郵送してください。",
            url="https://www.example.jp/grants/",
            department=Department.objects.filter(name=department).first() if department else None,
        )
    for n in range(len(GRANTS), 40 * scale):
        # Filler for the bench sizes: believable, varied deadlines and amounts.
        days = rng.randint(-200, 200)
        grant_create(
            user=staff,
            provider=rng.choice(["みらい市", "みらい県", "みらい地域振興財団", "みらい共同募金会"]),
            title=f"地域活動助成（第{n}回）",
            summary="地域の課題に取り組む市民活動に助成します。",
            amount_min=None,
            amount_max=rng.choice([None, 100_000, 300_000, 500_000, 1_000_000]),
            legal_forms=rng.sample(["npo", "general", "voluntary", "neighborhood"], k=rng.randint(0, 3)),
            themes=rng.sample(list(themes.values()), k=min(2, len(themes))),
            opens_on=None,
            closes_on=today + dt.timedelta(days=days),
        )
    out.write(f"  info: 助成金 {Grant.objects.count()}件")


BENCH_SEARCHES = 10_000
BENCH_PEOPLE = 2_000


def bench_digest_prepare() -> None:
    """10,000 weekly saved searches of 2,000 people over the five lists, with about twenty
    distinct filters, checked a week ago; then the digest run finds what appeared since."""
    now = timezone.now()
    people = [
        User(email=f"bench-alert{i:05d}@example.jp", full_name="通知 受信者") for i in range(BENCH_PEOPLE)
    ]
    User.objects.bulk_create(people, batch_size=1000, ignore_conflicts=True)
    people = list(User.objects.filter(email__startswith="bench-alert").order_by("pk"))
    theme_ids = list(Theme.objects.active().values_list("pk", flat=True)[:10])
    queries = {
        SearchKind.GROUPS: [f"theme={pk}" for pk in theme_ids] + ["q=こども", "legal_form=npo"],
        SearchKind.EVENTS: [f"theme={pk}" for pk in theme_ids[:4]] + [""],
        SearchKind.GRANTS: [f"theme={pk}" for pk in theme_ids[:4]] + ["legal_form=npo", ""],
        SearchKind.NEEDS: ["kind=pro_bono", ""],
        SearchKind.OFFERS: ["", "kind=place"],
    }
    kinds = list(queries)
    # Deliveries first: one DELETE, where deleting the searches first would load every delivery
    # to set its search to NULL.
    AlertDelivery.objects.filter(user__in=people).delete()
    SavedSearch.objects.filter(user__in=people).delete()
    rng = random.Random(20)
    week_ago = now - dt.timedelta(days=7)
    SavedSearch.objects.bulk_create(
        [
            SavedSearch(
                user=people[i % len(people)],
                kind=(kind := kinds[i % len(kinds)]),
                name=f"条件{i}",
                query=rng.choice(queries[kind]),
                frequency=Frequency.WEEKLY,
                checked_at=week_ago,
            )
            for i in range(BENCH_SEARCHES)
        ],
        batch_size=1000,
    )
    # Something new this week for the grant searches to find.
    recent = list(Grant.objects.published().order_by("pk").values_list("pk", flat=True)[:20])
    Grant.objects.filter(pk__in=recent).update(published_at=now - dt.timedelta(days=3))


def bench_digest_run():
    bench_digest_prepare()

    def run():
        from info.services import digests_send

        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            return digests_send(frequency=Frequency.WEEKLY)

    return run


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict[str, str]:
    theme = Theme.objects.filter(short_name="子どもの健全育成").first() or Theme.objects.first()
    pages = {"grant_list": reverse("info:grant_list")}
    if theme:
        pages["grant_list_filtered"] = f"{reverse('info:grant_list')}?theme={theme.pk}&legal_form=npo&soon=on"
    return pages


@hook("bench_tasks")
def bench_tasks() -> dict:
    """Prepared here, timed by the bench: one weekly digest run over 10,000 saved searches."""
    return {"info_digest_10000_searches": bench_digest_run()}
