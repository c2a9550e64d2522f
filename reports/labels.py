"""The words of the outcome reports: what each figure and chart the apps give is called, its unit
and how it was counted. The apps give data only (core.app_hooks.Figure: a key and a number;
Series: categories and numbers); reports words them here, in one place, for the PDF, the
assessment's targets and the figures' CSV and Excel files.

A figure whose key has a variable tail (`consultations.topic.<code>`, `spaces.rate.<room>.<band>`)
is worded by the entry of its stem; the figure's `words` fill the label's placeholders.
Placeholders every note may use: %(scope)s (この事業 / すべての事業), %(year)s (令和7年度).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.app_hooks import Figure, Series


@dataclass(frozen=True)
class FigureWords:
    label: str
    unit: str
    note: str = ""
    # Added to the note in a program's report (not in 全事業).
    program_note: str = ""


@dataclass(frozen=True)
class SeriesWords:
    title: str
    unit: str
    note: str = ""
    category: str = "%(category)s"  # how one category (a month number, a topic name) is printed
    # Months are drawn for three fiscal years side by side (the report's year and the two before);
    # the title then names the span (%(years)s) instead of one year.
    three_years: bool = False


REFERRAL_NOTE = _(
    "つなぎ先（担当課・団体・企業）を記録した件数。結果は後日、職員が「つながった／つながらなかった」を記録する。"
)
MATCH_NOTE = _("%(year)s中に状態が変わったマッチングの件数（状態の履歴から集計）。")
MATCH_PROGRAM_NOTE = _("この事業に結び付けたマッチングだけを数えています。")
TOPIC_NOTE = _("1件に複数の分野があるときはそれぞれに数える。")

FIGURES: dict[str, FigureWords] = {
    # events
    "events.events_held": FigureWords(
        _("開催した催し"), _("件"), _("%(scope)sで、年度内に1回以上開催した催しの数（連続講座は1件）。")
    ),
    "events.sessions_held": FigureWords(
        _("開催回数"), _("回"), _("年度内に開始した回（連続講座の各回を数える）。")
    ),
    "events.registrations": FigureWords(
        _("申込数"), _("件"), _("初回が年度内の催しへの申込（参加確定とキャンセル待ち。取消は除く）。")
    ),
    "events.attendance": FigureWords(
        _("参加者数（延べ）"), _("人"), _("年度内の各回の出席者を回ごとに数えた延べ人数。")
    ),
    "events.unique_participants": FigureWords(
        _("参加者数（実人数）"),
        _("人"),
        _("年度内に1回以上出席した人の数。アカウントと統合した記録で同じ人を1人と数える。"),
    ),
    "events.first_time_participants": FigureWords(
        _("初めての参加者"),
        _("人"),
        _("年度内に出席し、それ以前に%(scope)sへ出席したことのない人の数（担い手育成の入口）。"),
    ),
    "events.satisfaction": FigureWords(
        _("満足度の平均（5点満点）"),
        _("点"),
        _("初回が年度内の催しのアンケート回答 %(responses)s 件の平均（1〜5）。"),
    ),
    "events.completions": FigureWords(
        _("修了者数"),
        _("人"),
        _("修了条件（例: 全5回のうち4回以上の出席）を満たした人の数。初回が年度内の講座。"),
    ),
    "events.journey_mirai_to_alp": FigureWords(
        _("ミライ対話からALPへ進んだ人"),
        _("人"),
        _("年度内に初めてALPに出席した人のうち、それ以前にミライ対話に出席していた人の数。"),
    ),
    # projects
    "projects.proposals_received": FigureWords(
        _("協働事業の提案数"), _("件"), _("その年度に提出された提案（差戻し後の再提出は1件として数える）。")
    ),
    "projects.proposals_adopted": FigureWords(
        _("採択した提案数"), _("件"), _("その年度に採択を決定した提案。")
    ),
    "projects.agreements_signed": FigureWords(
        _("協働協定の締結数"), _("件"), _("締結日がその年度にある協働協定書。")
    ),
    "projects.registered": FigureWords(
        _("プロジェクト登録の件数"), _("件"), _("その年度に始まったプロジェクト登録（中止を除く）。")
    ),
    "projects.supported": FigureWords(
        _("プロジェクト支援の件数"), _("件"), _("その年度に始まったプロジェクト支援（中止を除く）。")
    ),
    "projects.support_sessions": FigureWords(
        _("伴走支援の回数"),
        _("回"),
        _("メンター面談・ハンズオン支援などの支援記録の件数（実施日がその年度のもの）。"),
    ),
    # consultations
    "consultations.collaboration": FigureWords(
        _("協働・連携に関する相談"), _("件"), _("相談記録のうち分野「協働・連携」を含むもの。")
    ),
    "consultations.total": FigureWords(
        _("相談件数"), _("件"), _("相談記録の件数（来所・電話・メール・オンライン・訪問）。")
    ),
    "consultations.minutes": FigureWords(_("相談対応時間"), _("分"), _("相談記録の所要時間の合計。")),
    "consultations.groups": FigureWords(
        _("相談のあった団体"), _("団体"), _("相談記録に団体が記録されたものの団体数（重複なし）。")
    ),
    "consultations.channel": FigureWords(_("相談件数（%(name)s）"), _("件")),
    "consultations.topic": FigureWords(_("相談件数（%(name)s）"), _("件"), TOPIC_NOTE),
    "consultations.referrals": FigureWords(_("つなぎ先"), _("件"), REFERRAL_NOTE),
    "consultations.referrals_connected": FigureWords(_("つなぎ先（つながった）"), _("件"), REFERRAL_NOTE),
    # matching
    "matching.proposed": FigureWords(_("マッチングの提案"), _("件"), MATCH_NOTE, MATCH_PROGRAM_NOTE),
    "matching.introduced": FigureWords(_("紹介（つなぎ）"), _("件"), MATCH_NOTE, MATCH_PROGRAM_NOTE),
    "matching.concluded": FigureWords(_("連携の成立"), _("件"), MATCH_NOTE, MATCH_PROGRAM_NOTE),
    # spaces (全事業 only)
    "spaces.bookings": FigureWords(
        _("活動の場の利用（件数）"),
        _("件"),
        _("団体・個人の部屋の予約のうち、取消を除いたもの（無断不使用を含む）。センターの催しは除く。"),
    ),
    "spaces.hours": FigureWords(_("活動の場の利用（時間）"), _("時間")),
    "spaces.groups": FigureWords(_("活動の場を使った団体"), _("団体")),
    "spaces.no_shows": FigureWords(
        _("無断不使用"), _("件"), _("予約したのに使われなかったもの（職員が窓口で記録）。")
    ),
    "spaces.rate": FigureWords(
        _("%(room)sの利用率（%(band)s）"),
        "%",
        _(
            "部屋ごと・時間帯ごとに、予約で使われた時間 ÷ 開館日のその時間帯の時間。"
            "時間帯は午前 9〜12時、午後 13〜17時、夜間 18〜21時。"
        ),
    ),
    "spaces.printed_sheets": FigureWords(
        _("印刷・コピーの枚数"),
        _("枚"),
        _("窓口で記録した機器の利用のうち、枚で数えるもの（印刷機・コピー機）。"),
    ),
    # info (全事業 only)
    "info.subscribers": FigureWords(
        _("情報紙のメール購読者"),
        _("人"),
        _(
            "年度末（3月31日）までに確認メールで登録を確定し、その日に配信を止めていなかった人"
            "（年度の途中は今の人数）。"
        ),
    ),
    "info.issues_sent": FigureWords(_("情報紙の発行"), _("号"), _("その年度にメールで送った号。")),
    "info.grants_posted": FigureWords(
        _("助成金・支援制度の掲載"),
        _("件"),
        _("その年度に公開した助成金・支援制度（非公開にしたものを除く）。"),
    ),
    "info.flyers_displayed": FigureWords(
        _("配架したチラシ"), _("件"), _("センターが掲示を認め、掲示期間が年度に重なるチラシ。")
    ),
    # reports
    "reports.outcome_records": FigureWords(
        _("記録した成果のエピソード"),
        _("件"),
        _("センター職員がインタビュー・アンケート・職員の観察から記録した成果（・）の件数です。"),
    ),
}

SERIES: dict[str, SeriesWords] = {
    "participants_by_month": SeriesWords(
        _("月別の参加者数（延べ、%(years)s）"),
        _("人"),
        _("各月に開始した回の出席者を回ごとに数えた延べ人数。"),
        category=_("%(category)s月"),
        three_years=True,
    ),
    "consultations_by_topic": SeriesWords(_("分野別の相談件数"), _("件"), TOPIC_NOTE),
    "consultations_by_channel": SeriesWords(_("相談方法別の相談件数"), _("件")),
    "consultations_by_month": SeriesWords(_("月別の相談件数（%(years)s）"), _("件"), three_years=True),
}

# Figures a program may set a target for at the start of the year, in the assessment's order;
# worded as in FIGURES unless named here.
TARGET_FIGURES = (
    "events.events_held",
    "events.sessions_held",
    "events.unique_participants",
    "events.attendance",
    "events.first_time_participants",
    "events.completions",
    "projects.registered",
    "projects.supported",
    "projects.support_sessions",
    "consultations.total",
    "matching.concluded",
)
TARGET_LABELS = {"matching.concluded": _("マッチングの成立")}


def words_for(key: str) -> FigureWords | None:
    """The words of a figure: its own entry, or that of the longest stem of its key."""
    stem = key
    while stem:
        if stem in FIGURES:
            return FIGURES[stem]
        stem = stem.rpartition(".")[0]
    return None


def figure_text(figure: Figure, *, program_code: str | None, fiscal_year: int) -> tuple[str, str, str]:
    """(label, unit, note) of a figure in the report of `program_code` (None: 全事業) for the year."""
    from core.fiscal import fiscal_year_label

    words = words_for(figure.key)
    if words is None:  # an app's new figure without words yet: its key, so that it shows
        return figure.key, "", ""
    context = {
        "scope": _("この事業") if program_code else _("すべての事業"),
        "year": fiscal_year_label(fiscal_year),
        **figure.words,
    }
    note = str(words.note) % context if words.note else ""
    if words.program_note and program_code:
        note += str(words.program_note)
    return str(words.label) % context, str(words.unit), note


def series_text(name: str, series: Series, *, fiscal_year: int) -> tuple[str, tuple[str, ...], str, str]:
    """(title, category labels, unit, note) of a chart."""
    from core.fiscal import fiscal_year_label

    words = SERIES.get(name) or SeriesWords(title=name, unit="")
    categories = tuple(str(words.category) % {"category": category} for category in series.categories)
    span = _("%(first)s〜%(last)s") % {
        "first": fiscal_year_label(fiscal_year - 2),
        "last": fiscal_year_label(fiscal_year),
    }
    title = str(words.title) % {"year": fiscal_year_label(fiscal_year), "years": span}
    return title, categories, str(words.unit), str(words.note)


def series_spans_three_years(name: str) -> bool:
    words = SERIES.get(name)
    return bool(words and words.three_years)


def target_figures() -> list[tuple[str, str, str]]:
    """(key, label, unit) of each figure a target may be set for."""
    return [
        (key, str(TARGET_LABELS.get(key, FIGURES[key].label)), str(FIGURES[key].unit))
        for key in TARGET_FIGURES
    ]
