"""Demo data for seed_demo (run by ops) and the pages `make bench` loads.

Consultations over the current fiscal year and the five before it (ten fiscal years at the
bench's --scale 10), with referrals and follow-ups.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.app_hooks import hook
from core.calendar import center_is_open
from core.fiscal import current_fiscal_year

SEED_PER_SCALE = 2400  # consultations per unit of --scale, over all the seeded fiscal years


# code → (what people ask, what the centre answers), for believable demo text.
SEED_TEXTS = {
    "founding": [
        (
            "地域の見守り活動を団体にしたい。任意団体とNPO法人の違いを知りたい。",
            "それぞれの設立手続きと必要な人数・書類を説明し、設立準備講座を案内した。",
        ),
        (
            "NPO法人の設立認証の申請書類の書き方がわからない。",
            "定款と事業計画書の記入例を一緒に確認した。市の担当窓口を紹介。",
        ),
        ("一般社団法人にするか迷っている。", "目的と活動の見通しを整理し、法人格ごとの運営の手間を比べた。"),
    ],
    "management": [
        (
            "役員のなり手がいない。世代交代をどう進めればよいか。",
            "他団体の引き継ぎの例を紹介し、役割を小さく分ける方法を提案した。",
        ),
        ("総会の開き方と議事録の作り方を教えてほしい。", "総会の手順と議事録のひな形を渡した。"),
        (
            "会員同士の意見が合わず、活動が止まっている。",
            "話を聞いて論点を整理し、話し合いの場の進め方を一緒に考えた。",
        ),
    ],
    "funding": [
        (
            "子ども食堂の運営費にあてられる助成金を探している。",
            "市の協働推進基金と民間助成を3件紹介し、締切を確認した。",
        ),
        ("助成金の申請書の事業計画が書けない。", "6W2Hで計画を整理し、申請書の下書きを一緒に見直した。"),
        ("クラウドファンディングを始めたい。", "実施例と手数料の違いを説明し、プロボノ支援を案内した。"),
    ],
    "publicity": [
        (
            "イベントのチラシを作りたいが、デザインがわからない。",
            "チラシ作りのポイントを説明し、プロボノのデザイン支援につないだ。",
        ),
        (
            "SNSで活動を発信したいが、何から始めればよいか。",
            "発信の目的と対象を整理し、無料で使えるツールを紹介した。",
        ),
        ("ポータルの団体ページの書き方を知りたい。", "掲載例を見ながら、活動紹介の文章を一緒に作った。"),
    ],
    "accounting": [
        ("会計報告の作り方がわからない。", "収支計算書のひな形と記入例を渡した。"),
        ("NPO法人の税金（法人住民税の減免）について知りたい。", "減免の手続きと市の窓口を案内した。"),
        (
            "インボイス制度への対応が必要か知りたい。",
            "団体の収入の内容を聞き、税理士会の無料相談を紹介した。",
        ),
    ],
    "collaboration": [
        (
            "市と一緒に事業をしたい。協働事業の提案の仕方を知りたい。",
            "市民提案型協働事業の流れと募集時期を説明した。",
        ),
        ("同じ地域で活動する団体と連携したい。", "似たテーマの団体を3つ紹介し、交流会を案内した。"),
        (
            "企業から協力の申し出があったが、どう進めればよいか。",
            "協定書の例を示し、役割と費用分担を整理した。",
        ),
    ],
    "volunteers": [
        (
            "ボランティアが集まらない。",
            "募集の文章を見直し、ボランティアセンターとポータルでの募集を提案した。",
        ),
        ("若い人に参加してもらうにはどうしたらよいか。", "学生団体と大学の地域連携窓口を紹介した。"),
        ("ボランティア保険について知りたい。", "社会福祉協議会の保険を案内した。"),
    ],
    "venue": [
        ("活動の拠点となる場所を探している。", "市民活動プラザの会議室と地区センターの利用方法を案内した。"),
        ("空き店舗を活用したい。", "商工観光課の空き店舗活用の制度を紹介した。"),
        ("倉庫として使える場所がほしい。", "公共施設の利用条件を説明し、企業の場所提供の申し出につないだ。"),
    ],
    "other": [
        (
            "市民活動を始めてみたいが、何ができるかわからない。",
            "興味のあることを聞き、ミライ対話と団体の活動見学を案内した。",
        ),
        ("活動中のトラブルについて相談したい。", "状況を聞き取り、関係機関の相談窓口を紹介した。"),
        ("センターの講座の内容を知りたい。", "今年度の講座の日程を案内した。"),
    ],
}


TOPIC_WEIGHTS = {
    "founding": 10,
    "management": 14,
    "funding": 20,
    "publicity": 12,
    "accounting": 8,
    "collaboration": 12,
    "volunteers": 10,
    "venue": 8,
    "other": 6,
}


# Months of the fiscal year (4..3) and how busy they are: grants in spring, reports in winter.
MONTH_WEIGHTS = {4: 12, 5: 12, 6: 10, 7: 8, 8: 6, 9: 7, 10: 8, 11: 8, 12: 6, 1: 9, 2: 9, 3: 8}


def _channel_weights(fiscal_year: int, first_year: int) -> dict[str, int]:
    """Online grows year by year; walk-ins stay the most common."""
    online = 6 + 3 * (fiscal_year - first_year)
    return {"visit": 42, "phone": 24, "email": 14, "online": online, "outreach": 7}


@hook("seed_demo")
def seed(*, scale: int, rng: random.Random, out) -> None:
    from consultations.models import Consultation, FollowUp, Referral, ReferralResult, Topic
    from core import demo
    from core.fiscal import fiscal_year_of
    from core.models import Department, Person, Theme, User
    from core.roles import Role

    staff = list(
        User.objects.filter(Q(groups__name=Role.STAFF) | Q(is_superuser=True)).distinct().order_by("pk")
    )
    if not staff:
        out.write("  consultations: 職員がいないため作成しません")
        return
    groups = _optional_list("groups.models", "Group", rng=rng, limit=400)
    businesses = _optional_list("matching.models", "Business", rng=rng, limit=200)
    events = _optional_list("events.models", "Event", rng=rng, limit=200)
    projects = _optional_list("projects.models", "Project", rng=rng, limit=100)
    departments = list(Department.objects.all())
    themes = list(Theme.objects.filter(is_npo_act_field=True))
    topics = {t.code: t for t in Topic.objects.all()}
    topic_codes = list(TOPIC_WEIGHTS)
    today = timezone.localdate()

    # People who come for advice (guest records, no accounts).
    people = []
    for _i in range(300 * scale):
        name, kana = demo.person_name(rng)
        person = Person(name=name, name_kana=kana, phone=demo.phone_number(rng))
        people.append(person)
    people = Person.objects.bulk_create(people, batch_size=500)

    # Dates: spread over the seeded fiscal years up to today, weighted by month, on open days.
    days: list[dt.date] = []
    total = SEED_PER_SCALE * scale
    first_year = current_fiscal_year() - demo.demo_years_back(scale)
    fiscal_years = list(range(first_year, current_fiscal_year() + 1))
    months = [(fy, m) for fy in fiscal_years for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    month_weights = [MONTH_WEIGHTS[m] * (1 + 0.05 * (fy - first_year)) for fy, m in months]
    while len(days) < total:
        fy, month = rng.choices(months, weights=month_weights)[0]
        year = fy if month >= 4 else fy + 1
        day = dt.date(year, month, rng.randint(1, 28))
        if day >= today or not center_is_open(day):  # what happened today is still being written up
            continue
        days.append(day)
    days.sort()

    consultations, topic_links, theme_links, referral_rows, follow_up_rows = [], [], [], [], []
    event_links, project_links = [], []
    for day in days:
        fy = fiscal_year_of(day)
        channel_weights = _channel_weights(fy, first_year)
        channel = rng.choices(list(channel_weights), weights=list(channel_weights.values()))[0]
        chosen_codes = {rng.choices(topic_codes, weights=list(TOPIC_WEIGHTS.values()))[0]}
        if rng.random() < 0.3:
            chosen_codes.add(rng.choices(topic_codes, weights=list(TOPIC_WEIGHTS.values()))[0])
        main_code = sorted(chosen_codes, key=topic_codes.index)[0]
        question, answer = rng.choice(SEED_TEXTS[main_code])
        group = rng.choice(groups) if groups and rng.random() < 0.55 else None
        anonymous = rng.random() < 0.12
        person = (
            None if anonymous else (rng.choice(people) if (group is None or rng.random() < 0.5) else None)
        )
        if group is None and person is None:
            anonymous = True
        consultation = Consultation(
            consulted_on=day,
            channel=channel,
            duration_minutes=rng.choice([10, 15, 20, 30, 30, 45, 60, 60, 90]),
            staff=rng.choice(staff),
            group=group,
            person=person,
            is_anonymous=anonymous,
            question=question,
            answer=answer,
            status="closed",
            created_by=None,
        )
        consultation.refresh_search_text()
        consultations.append((consultation, chosen_codes))
    created = Consultation.objects.bulk_create([c for c, _codes in consultations], batch_size=500)
    through_topic = Consultation.topics.through
    through_theme = Consultation.themes.through
    through_event = Consultation.related_events.through
    through_project = Consultation.related_projects.through
    for consultation, (_c, codes) in zip(created, consultations, strict=True):
        for code in codes:
            topic_links.append(through_topic(consultation_id=consultation.pk, topic_id=topics[code].pk))
        if themes and rng.random() < 0.6:
            theme_links.append(through_theme(consultation_id=consultation.pk, theme_id=rng.choice(themes).pk))
        if events and rng.random() < 0.03:
            event_links.append(through_event(consultation_id=consultation.pk, event_id=rng.choice(events).pk))
        if projects and rng.random() < 0.02:
            project_links.append(
                through_project(consultation_id=consultation.pk, project_id=rng.choice(projects).pk)
            )
        age = (today - consultation.consulted_on).days
        if rng.random() < 0.28:
            kind = rng.choices(["department", "group", "business"], weights=[60, 28, 12])[0]
            target = {
                "department": rng.choice(departments) if departments else None,
                "group": rng.choice(groups) if groups else None,
                "business": rng.choice(businesses) if businesses else None,
            }[kind]
            if target is None and departments:
                kind, target = "department", rng.choice(departments)
            if target is not None:
                if age > 45:
                    result = rng.choices(
                        [ReferralResult.CONNECTED, ReferralResult.NOT_CONNECTED, ReferralResult.PENDING],
                        weights=[70, 18, 12],
                    )[0]
                else:
                    result = ReferralResult.PENDING
                referral_rows.append(
                    Referral(
                        consultation_id=consultation.pk,
                        **{kind: target},
                        note="担当者を紹介し、連絡先を伝えた。",
                        result=result,
                        result_recorded_on=None
                        if result == ReferralResult.PENDING
                        else consultation.consulted_on + dt.timedelta(days=rng.randint(7, 40)),
                    )
                )
        if rng.random() < 0.22:
            due = consultation.consulted_on + dt.timedelta(days=rng.randint(5, 30))
            done = due < today - dt.timedelta(days=21) or (due < today and rng.random() < 0.6)
            follow_up_rows.append(
                FollowUp(
                    consultation_id=consultation.pk,
                    due_on=due,
                    owner=consultation.staff,
                    description=rng.choice(
                        [
                            "申請書の進み具合を電話で確認する",
                            "紹介先とつながったか確認する",
                            "次回の面談日を決める",
                            "資料をメールで送る",
                        ]
                    ),
                    done=done,
                    done_on=min(due, today) if done else None,
                )
            )
    through_topic.objects.bulk_create(topic_links, batch_size=1000)
    through_theme.objects.bulk_create(theme_links, batch_size=1000)
    through_event.objects.bulk_create(event_links, batch_size=1000)
    through_project.objects.bulk_create(project_links, batch_size=1000, ignore_conflicts=True)
    Referral.objects.bulk_create(referral_rows, batch_size=500)
    FollowUp.objects.bulk_create(follow_up_rows, batch_size=500)
    open_ids = {f.consultation_id for f in follow_up_rows if not f.done}
    Consultation.objects.filter(pk__in=open_ids).update(status="open")
    first, last = days[0], days[-1]
    out.write(
        f"  consultations: {len(created)} 件の相談（{first:%Y年%-m月}〜{last:%Y年%-m月}）, "
        f"{len(referral_rows)} 件のつなぎ先, "
        f"{len(follow_up_rows)} 件のフォローアップ, {len(people)} 人の相談者"
    )


def _optional_list(module_path: str, model_name: str, *, rng: random.Random, limit: int) -> list:
    """Rows of another app's model when it exists and has data (seed order: groups, matching, events)."""
    from importlib import import_module

    try:
        model = getattr(import_module(module_path), model_name)
    except (ModuleNotFoundError, AttributeError):
        return []
    ids = list(model.objects.values_list("pk", flat=True)[:5000])
    if not ids:
        return []
    chosen = rng.sample(ids, min(limit, len(ids)))
    return list(model.objects.filter(pk__in=chosen).order_by("pk"))


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict:
    """Staff pages: the bench signs in as staff@example.jp."""
    from core.app_hooks import BenchPage
    from core.demo import DEMO_STAFF_EMAIL

    return {
        name: BenchPage(path=reverse(url_name), as_user=DEMO_STAFF_EMAIL)
        for name, url_name in (
            ("consultation_list", "consultations:index"),
            ("consultation_statistics", "consultations:statistics"),
            ("consultation_follow_ups", "consultations:follow_ups"),
        )
    }
