"""reports words the figures the apps give as data: every figure any app gives has a label, a
unit and, where it says how it was counted, a note that fills in without a missing placeholder."""

from __future__ import annotations

import pytest

from core.app_hooks import Figure, Series, collect
from events.models import Program
from reports import labels

pytestmark = pytest.mark.django_db


def every_figure(fiscal_year: int) -> list[tuple[str | None, Figure]]:
    codes = [None, *Program.objects.values_list("code", flat=True)]
    return [
        (code, figure)
        for code in codes
        for _app, hook in collect("report_figures")
        for figure in hook(program_code=code, fiscal_year=fiscal_year) or ()
    ]


def test_every_figure_an_app_gives_is_worded_by_reports(db):
    figures = every_figure(2025)
    assert {"events.attendance", "projects.registered", "consultations.total", "reports.outcome_records"} <= {
        figure.key for _code, figure in figures
    }
    for code, figure in figures:
        assert labels.words_for(figure.key) is not None, figure.key
        label, unit, note = labels.figure_text(figure, program_code=code, fiscal_year=2025)
        assert label and unit and "%(" not in label + note, figure.key


def test_a_figure_with_a_variable_key_is_worded_by_its_stem():
    figure = Figure("spaces.rate.会議室A.午前", 42.5, words={"room": "会議室A", "band": "午前"})
    label, unit, note = labels.figure_text(figure, program_code=None, fiscal_year=2025)
    assert (label, unit) == ("会議室Aの利用率（午前）", "%")
    assert note.startswith("部屋ごと・時間帯ごとに")


def test_notes_name_the_scope_and_the_year():
    held = Figure("events.events_held", 3)
    assert labels.figure_text(held, program_code="alp", fiscal_year=2025)[2].startswith("この事業で、")
    assert labels.figure_text(held, program_code=None, fiscal_year=2025)[2].startswith("すべての事業で、")
    _label, _unit, note = labels.figure_text(
        Figure("matching.concluded", 1), program_code="alp", fiscal_year=2025
    )
    assert note == (
        "令和7年度中に状態が変わったマッチングの件数（状態の履歴から集計）。"
        "この事業に結び付けたマッチングだけを数えています。"
    )


def test_an_unknown_figure_shows_its_key_rather_than_nothing():
    assert labels.figure_text(Figure("new_app.count", 1), program_code=None, fiscal_year=2025) == (
        "new_app.count",
        "",
        "",
    )


def test_chart_words():
    months = Series(categories=(4, 5, 3), values=(1, 2, 3))
    title, categories, unit, note = labels.series_text("participants_by_month", months, fiscal_year=2025)
    assert (title, categories, unit) == (
        "月別の参加者数（延べ、令和5年度〜令和7年度）",
        ("4月", "5月", "3月"),
        "人",
    )
    assert note == "各月に開始した回の出席者を回ごとに数えた延べ人数。"
    topics = Series(categories=("資金調達・助成金",), values=(2,))
    assert labels.series_text("consultations_by_topic", topics, fiscal_year=2025)[:3] == (
        "分野別の相談件数",
        ("資金調達・助成金",),
        "件",
    )


def test_targets_are_worded_like_the_figures_except_where_named():
    targets = {key: (label, unit) for key, label, unit in labels.target_figures()}
    assert targets["events.completions"] == ("修了者数", "人")
    assert targets["matching.concluded"] == ("マッチングの成立", "件")
    assert list(targets) == list(labels.TARGET_FIGURES)


def test_every_note_under_how_figures_were_counted_ends_a_sentence(db):
    """The notes are printed one after another under 数値の集計方法: the projects' notes ended
    without 「。」 among notes that have one."""
    for code, figure in every_figure(2025):
        _label, _unit, note = labels.figure_text(figure, program_code=code, fiscal_year=2025)
        assert not note or note.endswith("。"), (figure.key, note)


def test_no_unit_is_put_in_brackets_twice(db):
    """A label joins its unit in brackets (参加者数（人）): 満足度の平均 printed as
    「満足度の平均（点（5点満点））」, its unit having brackets of its own."""
    for code, figure in every_figure(2025):
        _label, unit, _note = labels.figure_text(figure, program_code=code, fiscal_year=2025)
        assert "（" not in unit, (figure.key, unit)
