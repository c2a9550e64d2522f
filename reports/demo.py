"""Fictional outcome episodes for the demo, written like seed 000 (○ headings, ・ episodes).

Each axis has a bank of headings with episodes; `{program}` is replaced by the program's name.
The voices are invented: people of みらい市 telling what a program changed for them.
"""

import datetime as dt
import random

from django.apps import apps
from django.db import transaction
from django.urls import reverse

from core.app_hooks import hook
from core.fiscal import current_fiscal_year
from reports.models import OutcomeAxis

OUTCOME_BANK: dict[str, list[tuple[str, list[str]]]] = {
    OutcomeAxis.GOVERNANCE: [
        (
            "市の取り組みの紹介、市民との対話に参加",
            [
                "テーマを所管する課の職員が{program}に参加し、市の取り組みを紹介して市民と対話する場をつくった（全体）",
                "担当課の係長が毎回参加し、参加者の声を課内の検討会議に持ち帰った",
            ],
        ),
        (
            "協働の重点テーマの設定",
            [
                "協働の重点テーマを定め、それに関心のある層へ案内を届けたことで、担い手の発掘につながった",
                "重点テーマ「子育てと地域」に合わせて{program}の回を企画し、初めての参加者が増えた",
            ],
        ),
        (
            "市の取り組み姿勢の外部への発信",
            [
                "市長が{program}の発表会に参加し、市の事業であることと協働への姿勢を明確に示した",
                "広報紙とケーブルテレビで{program}を紹介し、協働の取り組みが市民に知られるきっかけとなった",
            ],
        ),
        (
            "協働推進の意識改革、風土改革",
            [
                "協働推進委員会で課長級に事例を共有し、全庁的に協働を考えるきっかけをつくった",
                "職員研修で{program}の参加者が登壇し、職員が市民の活動を直接知る機会となった",
            ],
        ),
        (
            "選考・評価への市の参画",
            [
                "選考会に担当課が委員として参加し、コメントがプロジェクトの方向性に影響を与えた",
                "担当課との打合せで協働を前提とした指摘を受け、事業のねらいが明確になった",
            ],
        ),
    ],
    OutcomeAxis.TRANSFORMATION: [
        (
            "課題の再設定により、やりたいことが明確に",
            [
                "色々な人と議論し、やりたいことを文章にすることで、プランがまとまった",
                "参加者からの指摘で、プランを見直すきっかけになった",
                "あらためて地域の課題に目を向けるようになった",
            ],
        ),
        (
            "担い手育成の入口（流入導線入口）",
            [
                "{program}がALPを受講する前に、プロジェクト参加者の様子を知る場として機能した",
                "みらい市に引っ越してきて、地域活動に参加するきっかけとなった（市内にも地域活動があることを知った）",
            ],
        ),
        (
            "自己変容のきっかけ",
            [
                "自分と同じような子育て中の親も地域の活動をしていることを知り、参加を後押ししてもらった",
                "一人ではできないこと、まじめに話せる仲間がいるからこそ活動ができることを体感した",
            ],
        ),
        (
            "プロジェクト推進のマイルストーン",
            [
                "発表が一つの目標となり、その準備が自分の考えをまとめるチャンスとなった",
                "発表を区切りにプランをまとめることが加速した",
            ],
        ),
    ],
    OutcomeAxis.PROCESS: [
        (
            "事業の社会的意義の明確化",
            [
                "ハンズオンの支援と第三者の意見から、自分の活動の軸を定めることができた",
                "事務局からの助言が、これまでの団体文化を変えるきっかけになり、活動の価値を整理できた",
                "対象とする課題と意義を言葉にし、アンケートで実態を確かめることができた",
            ],
        ),
        (
            "プロジェクト推進の後押し",
            [
                "試行的なアクションを実施してみたことで、プロジェクトに手ごたえを感じることができた",
                "支援を受けたことで一通りのことをやり切る責任が生まれ、活動を始める後押しとなった",
            ],
        ),
        (
            "専門家や第三者の意見がきけるチャンス",
            [
                "メンターミーティングで方向性に賛同してもらい、自分のやっていることに確信を持てた",
                "中小企業診断士との相談で、事業計画が具体的になった",
            ],
        ),
        (
            "メンバーのスキルアップ、事業の取り組み姿勢の習得",
            [
                "自分で考えて事業の基盤をつくっていくことを、伴走しながらサポートしてもらえた",
                "アクションすることで見えてくることがあると分かり、動きながら事業を進める姿勢が身についた",
            ],
        ),
    ],
    OutcomeAxis.RESOURCES: [
        (
            "活動の共感者や仲間を集める場",
            [
                "やりたいことを言い続けたことで、仲間や資源が少しずつ集まってきた",
                "{program}での出会いからネットワークができ、協力者を紹介してもらえるようになった",
                "その後チームのコアメンバーとなるキーパーソンと出会った",
            ],
        ),
        (
            "地域のリソースと出会う場",
            [
                "地元のNPOのスタッフとの出会いから、事業が具体化した",
                "社会福祉協議会のコーディネーターに活動場所を紹介してもらい、プロジェクトが実現した",
            ],
        ),
        (
            "異なるセクターの人との出会いの場",
            [
                "地域の商店会のキーパーソンとのつながりができた",
                "地元企業とのコラボレーションにつながり、仕事の委託につながった",
            ],
        ),
        (
            "関係課とのつながりづくりのサポート",
            [
                "関係課の紹介で、地元企業へのアンケートを実施することができた",
                "高齢福祉課のサポートで、地元企業の紹介と助成金の情報を得られた",
            ],
        ),
    ],
    OutcomeAxis.SOLUTION: [
        (
            "地域の課題を知る場",
            [
                "地域で働く親の困りごとを、スポーツ教室の運営でサポートできるヒントを得た",
                "地域の声やニーズを直接聴くことができ、地域をつなげる企画を思いついた",
            ],
        ),
        (
            "取り組みのヒントを得る場",
            [
                "先進的に取り組んでいる方の話から、活動のヒントを得た",
                "他の団体の取り組みを知り、自分たちの課題の解き方を見直した",
            ],
        ),
        (
            "資料を作成することで、やりたいことが明確に",
            [
                "登録に応募するために事業計画を作成し、書類づくりを通じてやりたいことが整理された",
            ],
        ),
    ],
    OutcomeAxis.LEARNING: [
        (
            "地域の仲間のつながりやネットワークづくり",
            [
                "受講生同士のつながりや市からの紹介で、市内の「つながり」ができた",
                "人のつながりが広がり、独自の活動だけではできなかった地域へのアプローチができた",
            ],
        ),
        (
            "活動を相互にサポートする地域のコミュニティの形成",
            [
                "地域に対して同じような思いを持っている人と出会い、つながりができた",
                "お互いのプロジェクトを支援し合い、リソースを使い合う体制ができた",
            ],
        ),
        (
            "地域コーディネーターへの成長の促し",
            [
                "プロジェクトを実施した経験から、他の人のプロジェクトにも助言できるようになった",
                "困っている人を見ると、少し助言すれば進むことが分かり、コーディネーター的に振る舞えるようになった",
            ],
        ),
        (
            "ロールモデルの出現",
            [
                "{program}の修了生が、次の受講生のロールモデルとなった",
            ],
        ),
    ],
    OutcomeAxis.COMMUNITY: [
        (
            "地域活動が今後も生まれる土壌の醸成",
            [
                "何かやりたいと言い続けていれば、みらい市ならいつか支えてくれる人が現れるという実感を持てた",
                "地域活動が盛んであることが見えるようになり、新しい活動やアイデアにつながる可能性が生まれた",
            ],
        ),
        (
            "地域への愛着の醸成",
            [
                "プロジェクトに参加することで地域が身近になり、市に関心が持てるようになった",
                "「地縁」ではない「地域軸」という新しいコミュニティができた",
            ],
        ),
        (
            "地域の課題を解決する助け合いのネットワークの構築",
            [
                "地域の困りごとを自分たちで解決するネットワークができてきている",
                "地域の不用品を集めて再利用する、助け合いのネットワークができた",
            ],
        ),
    ],
}

DEMO_FIRST_YEAR = 2021


DEMO_LAST_YEAR = 2026


@hook("seed_demo")
def seed(*, scale: int, rng: random.Random, out) -> None:
    """Outcome episodes for FY2021–FY2026, for every program and axis, in seed 000's style.

    Per program, year and axis: 1–2 ○ headings with 1–2 ・ episodes each, times `scale`
    (about 16 × scale episodes per program and year). It runs after the other apps, so episodes
    link to the program's events of that year, to registered groups and, for プロジェクト支援,
    to that year's registered and supported projects (and their lead groups).
    """
    from events.models import Event, Program
    from projects.models import Project, ProjectKind
    from reports.demo import OUTCOME_BANK
    from reports.models import OutcomeRecord, OutcomeSource
    from reports.selectors import fiscal_year_datetimes

    group_ids = list(
        apps.get_model("groups", "Group").objects.order_by("pk").values_list("pk", flat=True)[:200]
    )
    sources = [
        OutcomeSource.INTERVIEW,
        OutcomeSource.INTERVIEW,
        OutcomeSource.SURVEY,
        OutcomeSource.OBSERVATION,
    ]
    created = 0
    for fiscal_year in range(DEMO_FIRST_YEAR, DEMO_LAST_YEAR + 1):
        start, end = fiscal_year_datetimes(fiscal_year)
        projects = list(
            Project.objects.filter(
                fiscal_year=fiscal_year, kind__in=(ProjectKind.REGISTRATION, ProjectKind.SUPPORT)
            )
            .order_by("pk")
            .values_list("pk", "lead_group_id")
        )
        for program in Program.objects.order_by("order", "id"):
            event_ids = list(
                Event.objects.filter(
                    program=program, sessions__starts_at__gte=start, sessions__starts_at__lt=end
                )
                .order_by("pk")
                .values_list("pk", flat=True)
                .distinct()[:50]
            )
            program_projects = projects if program.code == "project_support" else []
            records, links = [], []
            for axis, bank in OUTCOME_BANK.items():
                for _round in range(scale):
                    for heading, episodes in rng.sample(bank, k=min(len(bank), rng.randint(1, 2))):
                        for episode in rng.sample(episodes, k=min(len(episodes), rng.randint(1, 2))):
                            records.append(
                                OutcomeRecord(
                                    program=program,
                                    fiscal_year=fiscal_year,
                                    axis=axis,
                                    category=heading,
                                    episode=episode.format(program=program.name),
                                    source=rng.choice(sources),
                                )
                            )
                            project = rng.choice(program_projects) if program_projects else None
                            group_id = (
                                project[1]
                                if project
                                else (rng.choice(group_ids) if group_ids and rng.random() < 0.5 else None)
                            )
                            event_id = rng.choice(event_ids) if event_ids and rng.random() < 0.6 else None
                            links.append((group_id, event_id, project[0] if project else None))
            OutcomeRecord.objects.bulk_create(records)
            _link(OutcomeRecord.groups.through, "group_id", records, [link[0] for link in links])
            _link(OutcomeRecord.events.through, "event_id", records, [link[1] for link in links])
            _link(OutcomeRecord.projects.through, "project_id", records, [link[2] for link in links])
            created += len(records)
    out.write(f"  reports: 成果のエピソード {created}件（{DEMO_FIRST_YEAR}〜{DEMO_LAST_YEAR}年度）")


def _link(through, column: str, records, targets) -> None:
    through.objects.bulk_create(
        [
            through(outcomerecord_id=record.pk, **{column: target})
            for record, target in zip(records, targets, strict=True)
            if target
        ]
    )


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict:
    """The reports page, seen by center staff."""
    from core.app_hooks import BenchPage
    from core.demo import DEMO_STAFF_EMAIL

    return {"reports_index": BenchPage(path=reverse("reports:index"), as_user=DEMO_STAFF_EMAIL)}


BENCH_PROGRAM = "mirai_taiwa"


BENCH_EVENTS = 200


BENCH_REGISTRATIONS = 5_000


BENCH_OUTCOMES = 300


def bench_fiscal_year() -> int:
    return current_fiscal_year() - 1


@transaction.atomic
def bench_top_up(*, program_code: str = BENCH_PROGRAM, fiscal_year: int | None = None) -> dict[str, int]:
    """Adds data to the program's year until it has the bench's size (idempotent)."""
    from core.models import Person
    from events.models import Event, Program
    from reports.demo import OUTCOME_BANK
    from reports.models import OutcomeRecord, OutcomeSource
    from reports.selectors import fiscal_year_datetimes

    year = fiscal_year if fiscal_year is not None else bench_fiscal_year()
    program = Program.objects.get(code=program_code)
    start, _end = fiscal_year_datetimes(year)
    session_model = apps.get_model("events", "EventSession")
    registration_model = apps.get_model("events", "Registration")
    rng = random.Random(f"bench:{program_code}:{year}")
    events = list(
        Event.objects.filter(
            program=program,
            sessions__starts_at__gte=start,
            sessions__starts_at__lt=start + dt.timedelta(days=365),
        ).distinct()
    )
    for index in range(len(events), BENCH_EVENTS):
        event = Event.objects.create(
            program=program, title=f"{program.name} ベンチ第{index + 1}回", capacity=None
        )
        begins = start + dt.timedelta(days=(index * 359) // BENCH_EVENTS, hours=10)
        session_model.objects.create(event=event, starts_at=begins, ends_at=begins + dt.timedelta(hours=2))
        events.append(event)
    existing = registration_model.objects.filter(event__in=events, status="confirmed").count()
    missing = BENCH_REGISTRATIONS - existing
    if missing > 0:
        people = Person.objects.bulk_create(
            [
                Person(name=f"ベンチ 参加者{n}", name_kana=f"べんち さんかしゃ{n}", sort_key=f"べんち{n:06d}")
                for n in range(missing)
            ]
        )
        registration_model.objects.bulk_create(
            [
                registration_model(event=events[n % len(events)], person=person, status="confirmed")
                for n, person in enumerate(people)
            ]
        )
    outcomes = OutcomeRecord.objects.filter(program=program, fiscal_year=year).count()
    banks = list(OUTCOME_BANK.items())
    new_records = []
    for n in range(outcomes, BENCH_OUTCOMES):
        axis, bank = banks[n % len(banks)]
        heading, episodes = bank[rng.randrange(len(bank))]
        new_records.append(
            OutcomeRecord(
                program=program,
                fiscal_year=year,
                axis=axis,
                category=heading,
                episode=rng.choice(episodes).format(program=program.name),
                source=OutcomeSource.INTERVIEW,
            )
        )
    OutcomeRecord.objects.bulk_create(new_records)
    return {
        "events": len(events),
        "registrations": max(existing, BENCH_REGISTRATIONS),
        "outcomes": max(outcomes, BENCH_OUTCOMES),
    }


@hook("bench_tasks")
def bench_tasks() -> dict:
    """report_program: the ミライ対話 report of last year topped up to 200 events, 5,000
    registrations and 300 episodes; report_all: the all-programs report of the same year."""
    from reports.services import report_render_pdf

    year = bench_fiscal_year()
    bench_top_up(fiscal_year=year)
    return {
        "report_program": lambda: report_render_pdf(program_code=BENCH_PROGRAM, fiscal_year=year),
        "report_all": lambda: report_render_pdf(program_code=None, fiscal_year=year),
    }
