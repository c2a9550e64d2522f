"""Reference data every installation starts with: the center's programs."""

# (code, name, journey step or None, description). The codes are stable: reports and the
# matching figures use them.
PROGRAMS = [
    ("mirai_taiwa", "ミライ対話", 1, "地域の未来について、立場の違う人が対話する場。担い手育成の入口。"),
    ("alp", "アクション・ラーニング講座", 2, "地域の課題を題材に、仲間と行動しながら学ぶ連続講座。"),
    (
        "social_startup",
        "社会起業入門講座",
        None,
        "社会の課題をビジネスの手法で解決したい人のための入門講座。",
    ),
    ("festa", "社会起業フェスタ", None, "社会起業家と市民が出会い、事業を発表し合う催し。"),
    ("project_support", "プロジェクト支援", 4, "登録プロジェクトに伴走し、企画・運営・資金づくりを支援。"),
    ("pr_fair", "NPO活動PRフェア", None, "市民活動団体・NPOが活動を紹介し、仲間や支援者と出会う催し。"),
    ("networking", "交流会", None, "団体・企業・行政がつながる交流の場。"),
    ("roundtable", "地域円卓会議", None, "地域の課題をさまざまな立場の人が囲んで話し合う会議。"),
]


def ensure_programs(program_model=None) -> None:
    """Creates the programs when none exist (after migrate, and after a database flush).

    Staff's own edits are never overwritten: once any program exists, nothing is touched.
    """
    if program_model is None:
        from events.models import Program as program_model
    if program_model.objects.exists():
        return
    for order, (code, name, step, description) in enumerate(PROGRAMS, start=1):
        program_model.objects.update_or_create(
            code=code,
            defaults={"name": name, "journey_step": step, "order": order, "description": description},
        )
