"""The outcome report PDF: what it prints equals the database, the same data gives the same text,
the Japanese font is embedded as a subset with real glyphs, and a kanji-rich report stays small."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.conf import settings

from core.app_hooks import Figure, Series
from reports import selectors
from reports.services import report_render_pdf
from reports.templatetags.report_tags import format_figure
from tests.reports.factories import OutcomeRecordFactory, local, make_event, program
from tests.reports.pdfcheck import (
    content_bottom,
    embedded_fonts,
    glyph_problems,
    is_japanese,
    laid_out,
    pdf_text,
    stranded_headings,
)

pytestmark = pytest.mark.django_db

MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def fake_app(values: dict[int, int]):
    """Another app's hooks: one key figure per year (none for years not given) and one series,
    as data (reports words them)."""

    def report_figures(*, program_code, fiscal_year):
        if fiscal_year not in values:
            return []
        return [Figure("events.attendance", values[fiscal_year])]

    def report_series(*, program_code, fiscal_year):
        # The report's year as below; each earlier year a different April so the bars can be told apart.
        april = {2023: 31, 2024: 42}.get(fiscal_year, 5)
        return {
            "participants_by_month": Series(
                categories=MONTHS, values=(april, 8, 0, 12, 3, 0, 7, 9, 4, 2, 6, 11)
            )
        }

    return SimpleNamespace(report_figures=report_figures, report_series=report_series)


def silent_app():
    return SimpleNamespace(report_figures=lambda **kw: None, report_series=lambda **kw: {})


def broken_app():
    def fail(**kwargs):
        raise RuntimeError("集計できません")

    return SimpleNamespace(report_figures=fail, report_series=fail)


@pytest.fixture
def hooks(monkeypatch):
    """The reports app's own hooks plus fake apps: one with figures, one with nothing, one broken."""
    from core import app_hooks

    fakes = [
        ("fake", fake_app({2024: 1000, 2025: 1234})),
        ("silent", silent_app()),
        ("broken", broken_app()),
    ]
    registrations = [
        app_hooks.Registration(hook=name, app_label=app_label, value=getattr(app, name), where=app_label)
        for app_label, app in fakes
        for name in ("report_figures", "report_series")
    ] + [registration for registration in app_hooks.registrations() if registration.app_label == "reports"]
    monkeypatch.setattr(app_hooks, "registrations", lambda: registrations)


@pytest.fixture
def known_data(db):
    """FY2025 (令和7年度): two ミライ対話 events (4 distinct people), one ALP course (2 people), one
    ミライ対話 event in FY2024; outcome episodes 1 / 2 / 3 in FY2023 / 2024 / 2025."""
    from core.models import Person

    a, b, c, d, e = (
        Person.objects.create(name=n) for n in ("青木 一郎", "井上 花子", "上田 健", "江藤 恵", "大野 翔")
    )
    make_event(
        program_code="mirai_taiwa", starts=local(2025, 5, 10), title="ミライ対話 みどり地区", people=[a, b, c]
    )
    make_event(
        program_code="mirai_taiwa", starts=local(2026, 3, 20), title="ミライ対話 さくら地区", people=[a, d]
    )
    make_event(program_code="alp", starts=local(2025, 9, 6), title="ALP 第12期", people=[a, e], sessions=5)
    make_event(
        program_code="mirai_taiwa", starts=local(2025, 3, 15), title="ミライ対話 前年度", people=[b, e]
    )
    for year, count in ((2023, 1), (2024, 2), (2025, 3)):
        OutcomeRecordFactory.create_batch(count, fiscal_year=year)
    OutcomeRecordFactory(
        fiscal_year=2025,
        axis="governance",
        category="重点テーマの設定",
        episode="協働の重点テーマを定め、関心のある層へ案内を届けた",
        source="survey",
    )
    OutcomeRecordFactory(
        fiscal_year=2025,
        program=program("alp"),
        category="受講生同士の出会いの場",
        episode="一緒に活動を進める仲間を得た",
    )


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_figure_printed_equals_the_database(known_data, hooks):
    """Generated from known data: the key figures with the two previous years, the funnel, the
    events held and the outcome episodes in the PDF's text are the values the database gives."""
    pdf = report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)
    text = one_line(pdf_text(pdf))

    assert "令和7年度" in text and "ミライ対話" in text and "成果報告書" in text
    assert settings.CENTER_NAME in text
    assert "令和5年度 令和6年度 令和7年度" in text

    # Key figures: this app's count from the database, and another app's figures with a gap year.
    counts = [
        selectors.OutcomeRecord.objects.filter(program__code="mirai_taiwa", fiscal_year=y).count()
        for y in (2023, 2024, 2025)
    ]
    assert counts == [1, 2, 4]
    squashed = text.replace(" ", "")  # a label may wrap between its phrases
    assert f"記録した成果のエピソード（件）この事業{''.join(format_figure(c) for c in counts)}+2" in squashed
    assert "参加者数（延べ）（人）この事業—1,0001,234+234" in squashed

    # The flow follows the people who attended ミライ対話 in each year (青木 counted once).
    flow = selectors.journey(fiscal_year=2025)
    assert [step.values for step in flow.steps[:2]] == [[0, 2, 4], [0, 1, 1]]
    assert "ミライ対話に出席した人（人）024" in squashed
    assert "うち、ALPに出席した人（人）011" in squashed
    assert "ミライ対話に出席した人に対する割合—50%25%" in squashed

    # Events held this year, with their confirmed registrations, and not last year's.
    assert "令和7年5月10日 ミライ対話 みどり地区 1 3" in text  # every date in 和暦
    assert "令和8年3月20日 ミライ対話 さくら地区 1 2" in text
    assert "ミライ対話 前年度" not in text
    assert "実施した催し（2件）" in text

    # The chart from another app's series: its values are text in the PDF.
    assert "図1 月別の参加者数（延べ、令和5年度〜令和7年度）（人）" in text
    assert "12" in text and "11" in text

    # Outcome episodes (○ headings, ・ episodes) under their axis.
    assert "①協働のガバナンス" in text
    assert "○重点テーマの設定" in text
    assert "・協働の重点テーマを定め、関心のある層へ案内を届けた （アンケート）" in text
    assert "○活動の共感者や仲間を集める場" in text
    assert "一緒に活動を進める仲間を得た" not in text  # ALP's episode is not in ミライ対話's report

    # Robustness: an app that answers nothing is silent, a broken one is named in the notes.
    assert "「broken」の集計（report_figures）を取得できなかった" in text
    assert "silent" not in text


def test_the_monthly_chart_shows_three_fiscal_years_side_by_side(known_data, hooks):
    """Three fiscal years side by side: each year's months come from that year's series, oldest first, and the
    chart's words (its PDF alternative text) carry all three years."""
    content = selectors.report_content(program_code="mirai_taiwa", fiscal_year=2025)
    chart = next(chart for chart in content.charts if chart.name == "participants_by_month")

    assert chart.years == ("令和5年度", "令和6年度", "令和7年度")
    assert [values[0] for values in chart.year_values] == [31, 42, 5]
    assert chart.values == chart.year_values[-1]
    assert "令和5年度 4月 31人" in chart.alt and "令和7年度 4月 5人" in chart.alt
    assert chart.svg.count("令和6年度") == 1  # the legend names each year once


def test_the_same_data_gives_the_same_text_twice(known_data, hooks):
    first = report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)
    second = report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)
    assert pdf_text(first) == pdf_text(second)


def test_the_all_programs_report_groups_episodes_by_program(known_data, hooks):
    text = one_line(pdf_text(report_render_pdf(program_code=None, fiscal_year=2025)))
    assert "令和7年度 全事業 成果報告書" in text
    assert "・一緒に活動を進める仲間を得た" in text
    assert "アクション・ラーニング講座" in text
    assert "実施した催し（3件）" in text


def test_every_japanese_character_has_a_real_glyph_in_the_embedded_font(known_data, hooks):
    """Text extraction would succeed with tofu boxes too: the embedded font must draw each character."""
    pdf = report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)
    checked, problems = glyph_problems(pdf)
    assert len(checked) > 100
    assert problems == []
    # One subset of one font: no second (synthetic bold) copy, no fallback system font.
    assert [font["name"].split("+", 1)[1] for font in embedded_fonts(pdf)] == ["KyodoGothic"]


def test_a_report_with_1500_distinct_kanji_stays_under_1_5_mb(db, no_other_hooks):
    """The font is embedded as a subset even when HarfBuzz cannot subset it (core.pdf)."""
    from fontTools.ttLib import TTFont

    from core.pdf import japanese_font_path

    cmap = TTFont(japanese_font_path()).getBestCmap()
    kanji = [chr(code) for code in range(0x4E00, 0x9FA0) if code in cmap][::4][:1600]
    for n in range(0, len(kanji), 40):
        OutcomeRecordFactory(fiscal_year=2025, category=f"見出し{n}", episode="".join(kanji[n : n + 40]))
    pdf = report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)
    text = pdf_text(pdf)
    distinct = {c for c in text if is_japanese(c) and "CJK UNIFIED" in __import__("unicodedata").name(c, "")}
    assert len(distinct) >= 1500
    assert len(pdf) < 1_500_000, f"{len(pdf):,} bytes"
    _checked, problems = glyph_problems(pdf)
    assert problems == []


def test_a_report_with_no_data_at_all_still_renders(db, no_other_hooks):
    text = one_line(pdf_text(report_render_pdf(program_code="festa", fiscal_year=2019)))
    assert "令和元年度 社会起業フェスタ 成果報告書" in text
    # Only sections with data: no empty chart boxes, no event or project tables.
    assert "月別の参加者数" not in text
    assert "実施した催し" not in text and "協働事業の一覧" not in text
    assert "総括はまだ書かれていません" in text


def test_the_glyph_check_catches_a_character_drawn_as_an_empty_box(db, no_other_hooks):
    """The check is not vacuous: blank one glyph of the embedded font and it is reported."""
    import io

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import Glyph
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    from tests.reports.pdfcheck import _to_unicode_map

    pdf = report_render_pdf(program_code="festa", fiscal_year=2025)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    font = writer.pages[0]["/Resources"]["/Font"]
    type0 = next(ref.get_object() for ref in font.values() if ref.get_object()["/Subtype"] == "/Type0")
    cid = next(
        c for c, text in _to_unicode_map(type0["/ToUnicode"].get_object().get_data()).items() if text == "報"
    )
    descriptor = type0["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    tt = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
    tt["glyf"][tt.getGlyphOrder()[cid]] = Glyph()  # an empty glyph: a blank where 報 should be
    program = io.BytesIO()
    tt.save(program)
    stream = StreamObject()
    stream.set_data(program.getvalue())
    descriptor[NameObject("/FontFile2")] = writer._add_object(stream)
    broken = io.BytesIO()
    writer.write(broken)

    _checked, problems = glyph_problems(broken.getvalue())
    assert any(problem.startswith("報:") for problem in problems), problems


def test_every_apps_figures_are_printed_as_their_hooks_count_them(known_data):
    """With every app's real hooks: each key figure row of the PDF shows the three values the
    apps compute from the database for the year and the two before."""
    pdf = report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)
    text = one_line(pdf_text(pdf))
    rows = selectors.report_content(program_code="mirai_taiwa", fiscal_year=2025).figures
    assert rows, "the apps report key figures"
    assert {row.scope for row in rows} == {"この事業"}
    for row in rows:
        unit = f"（{row.unit}）" if row.unit else ""
        printed = f"{row.label}{unit}{row.scope}{''.join(format_figure(v) for v in row.values)}"
        assert printed in text.replace(" ", ""), printed


def test_the_assessment_comes_first_with_targets_against_results(known_data):
    """総括, 目標 against 実績 with the difference, and 課題と次年度の方針 come before the evidence."""
    from reports.services import assessment_save

    assessment_save(
        program=program("mirai_taiwa"),
        fiscal_year=2025,
        summary="地域の仲間に出会えたという声が多かった。",
        targets={"events.unique_participants": 6, "events.sessions_held": 2},
        issues="若い世代に届く回を設ける。",
        axis_notes={"learning": "この事業では学びあいを記録していないため。"},
    )
    text = one_line(pdf_text(report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)))
    squashed = text.replace(" ", "")
    assert text.index("地域の仲間に出会えたという声が多かった。") < text.index(
        "3. 主要な数値（3年度の比較） 主要な数値"
    )
    # 実人数 4 against a target of 6: −2, 67%; sessions 2 against 2 (held sessions: both past).
    assert "参加者数（実人数）（人）64−267%" in squashed
    assert "若い世代に届く回を設ける。" in text
    assert "この軸の成果は記録されていません。理由: この事業では学びあいを記録していないため。" in text
    # The table of contents gives page numbers (target-counter), and the cover the dates.
    assert re.search(r"1\. 総括と評価 \.+ 3", text)
    assert "データ基準日" in text and "案（確定前）" in text


def test_the_all_programs_report_reconciles_program_sums_with_the_center(known_data):
    """全事業: a program × figure table for three years, and a note for each figure whose program
    sum differs from the center total (青木 attended ミライ対話 and ALP: 2 + 4 people, 5 in all)."""
    content = selectors.report_content(program_code=None, fiscal_year=2025)
    table = next(t for t in content.matrix if t.key == "events.unique_participants")
    assert [
        row.values[-1] for row in table.rows if row.name in ("ミライ対話", "アクション・ラーニング講座")
    ] == [4, 2]
    assert table.total.values[-1] == 6 and table.center.values[-1] == 5
    note = next(n for n in content.reconciliations if n.label == "参加者数（実人数）")
    assert (note.program_sum, note.center) == (6, 5)
    assert "同じ人が複数の事業に参加すると" in note.reason
    text = one_line(pdf_text(report_render_pdf(program_code=None, fiscal_year=2025)))
    assert "事業の合計とセンター全体の照合" in text
    assert "4. 事業ごとの数値と評価" in text


def test_a_report_made_during_the_year_lists_only_events_that_have_begun(time_machine):
    """令和8年度's report made on 令和8年12月6日: the January event is still to come, so 実施した催し
    lists the October one only, and its count agrees with 開催した催し (it listed both)."""
    time_machine.move_to(local(2026, 12, 6, 9), tick=False)
    make_event(
        program_code="mirai_taiwa",
        starts=local(2026, 10, 18, 14),
        title="ミライ対話 中央地区",
        people=["青木"],
    )
    make_event(
        program_code="mirai_taiwa",
        starts=local(2027, 1, 24, 14),
        title="ミライ対話 南台地区",
        people=["井上"],
    )

    assert [row.title for row in selectors.events_held(program_code="mirai_taiwa", fiscal_year=2026)] == [
        "ミライ対話 中央地区"
    ]
    text = one_line(pdf_text(report_render_pdf(program_code="mirai_taiwa", fiscal_year=2026)))
    assert "実施した催し（1件）" in text
    assert "令和8年10月18日 ミライ対話 中央地区 1 1" in text
    assert "南台地区" not in text
    from events.hooks import report_figures

    held = {f.key: f.value for f in report_figures(program_code="mirai_taiwa", fiscal_year=2026)}
    assert held["events.events_held"] == 1


def test_a_long_unbroken_latin_string_wraps_inside_the_page_and_its_table_cell(time_machine):
    """A URL in an episode and an event title in letters have no place to break: they used to run
    off the page (and out of the events table's cell), cut off in print. They now wrap."""
    time_machine.move_to(local(2026, 5, 1), tick=False)
    url = "https://example.jp/" + "a" * 150
    OutcomeRecordFactory(program=program("alp"), fiscal_year=2025, category="活動の紹介", episode=url)
    make_event(program_code="alp", starts=local(2025, 10, 1), title="講座" + "ABCDEFGHIJ" * 12)

    text = pdf_text(report_render_pdf(program_code="alp", fiscal_year=2025))
    longest_a = max(len(run) for run in re.findall(r"a{10,}", text))
    longest_title = max(len(run) for run in re.findall(r"(?:[A-J]{10,})", text))
    assert longest_a < 100  # an A4 line holds about 90 of them
    assert longest_title < 60  # the name column is about half the line


def test_a_flow_with_nobody_to_follow_is_explained_not_drawn_as_zeros(time_machine):
    """No one attended ミライ対話 in 令和4〜6年度: the section says so in a sentence instead of a
    table and a chart of zeros (「ミライ対話に出席した人（人） 0 0 0」 and empty bars)."""
    time_machine.move_to(local(2026, 5, 1), tick=False)
    program("mirai_taiwa")

    text = one_line(pdf_text(report_render_pdf(program_code="mirai_taiwa", fiscal_year=2024)))
    assert "令和4年度〜令和6年度にミライ対話に出席した人の記録がないため、その後の流れは示せません。" in text
    assert "ミライ対話に出席した人（人）" not in text
    assert "担い手育成の流れ（3年度の比較、人・団体）" not in text


def test_a_heading_and_its_lead_in_never_end_a_page_without_what_they_introduce(time_machine):
    """The all-programs demo report left 「関係機関との連携」 and its lead-in at the foot of a page
    and its table on the next. Here 地域へのアウトカム's heading and lead-in are brought to the
    foot of a page by the episodes above them: they go to the next page with its first ○ line."""
    from weasyprint.formatting_structure import boxes

    from core.pdf import render_document
    from reports.models import OutcomeAxis
    from reports.selectors import report_content

    time_machine.move_to(local(2026, 5, 1), tick=False)
    alp = program("alp")
    OutcomeRecordFactory(program=alp, fiscal_year=2025, axis=OutcomeAxis.COMMUNITY, category="地域の居場所")
    learning = [
        OutcomeRecordFactory(
            program=alp, fiscal_year=2025, axis=OutcomeAxis.LEARNING, category="学び合いの場"
        )
    ]

    def render():
        content = report_content(program_code="alp", fiscal_year=2025)
        return render_document(template_name="reports/pdf/report.html", context={"report": content})

    def community_lead(document):
        return laid_out(
            document,
            lambda box: (
                isinstance(box, boxes.BlockBox)
                and "axis__description" in (box.element.get("class") or "")
                and "地域" in "".join(box.element.itertext())
            ),
        )[-1]

    # One more one-line episode above moves the heading down by one line: add as many as still
    # leave the heading and its lead-in room at the foot of their page.
    document = render()
    page, lead = community_lead(document)
    episode_lines = [
        box
        for _n, box in laid_out(document, lambda box: isinstance(box, boxes.LineBox))
        if box.element.tag == "li"
    ]
    room = content_bottom(document, page) - (lead.position_y + lead.margin_height())
    extra = int(room // episode_lines[-1].height)
    assert extra > 0
    learning += OutcomeRecordFactory.create_batch(
        extra,
        program=alp,
        fiscal_year=2025,
        axis=OutcomeAxis.LEARNING,
        category="学び合いの場",
        episode="学び合った",
    )

    document = render()
    page, _lead = community_lead(document)
    assert stranded_headings(document) == []
    first_line = laid_out(
        document,
        lambda box: (
            "category" in (box.element.get("class") or "")
            and "地域の居場所" in "".join(box.element.itertext())
        ),
    )
    assert first_line[0][0] == page


def test_dates_statuses_and_short_headers_are_not_broken_inside_their_cells(time_machine):
    """The columns of 実施した催し and 協働事業の一覧 were too narrow for what they hold: the header
    「（参加確定）」 and the status 「協定準備中」 broke inside the word."""
    from weasyprint.formatting_structure import boxes

    from core.pdf import render_document
    from reports.selectors import ProjectRow, report_content

    time_machine.move_to(local(2026, 5, 1), tick=False)
    make_event(program_code="alp", starts=local(2025, 12, 28), title="アクション・ラーニング講座 第12期")
    for code in ("alp", None):
        content = report_content(program_code=code, fiscal_year=2025)
        # title, group, kind, 担当課, status, support sessions
        project = (
            "親子のたまり場「さくらんぼひろば」",
            "本町四丁目防災会",
            "市民提案型",
            "子ども家庭支援課",
            "協定準備中",
            0,
        )
        content.projects = [ProjectRow(*project)]
        document = render_document(template_name="reports/pdf/report.html", context={"report": content})
        cells = laid_out(document, lambda box: isinstance(box, boxes.TableCellBox))
        lines = {}
        for _page, cell in cells:
            text = "".join(cell.element.itertext()).strip()
            lines[text] = sum(1 for box in cell.descendants() if isinstance(box, boxes.LineBox))
        assert lines["令和7年12月28日"] == 1, code
        assert lines["申込（参加確定）"] == 2, code  # 申込 / （参加確定）
        assert lines["協定準備中"] == 1, code
        assert lines["子ども家庭支援課"] == 1, code


IN_PROGRESS = "令和8年度は年度途中のため、令和8年12月5日までの数値です。前年度との比較は参考値です。"


def test_a_year_in_progress_says_until_which_day_its_figures_run(time_machine):
    """Made on 令和8年12月5日 (the Japan date; UTC is still the 4th), 令和8年度's report compared
    eight months with 令和7年度's twelve (ミライ対話 参加者数 2 → 1, 「−1」) without a word: the cover,
    the header of the pages and the figures now say the year is in progress and until which day."""
    time_machine.move_to(local(2026, 12, 5, 7), tick=False)  # 2026-12-04 22:00 UTC
    make_event(program_code="mirai_taiwa", starts=local(2025, 10, 18, 14), people=["青木", "井上"])
    make_event(program_code="mirai_taiwa", starts=local(2026, 10, 18, 14), people=["上田"])

    content = selectors.report_content(program_code="mirai_taiwa", fiscal_year=2026)
    assert content.in_progress_note == IN_PROGRESS
    text = re.sub(r"\s+", "", pdf_text(report_render_pdf(program_code="mirai_taiwa", fiscal_year=2026)))
    cover, rest = text.split("目次", 1)
    assert IN_PROGRESS in cover
    assert "（年度途中・令和8年12月5日までの数値）" in rest  # each page's header
    figures = rest.split("主要な数値（3年度の比較）")[-1]  # the section, after the table of contents
    assert figures.index(IN_PROGRESS) < figures.index("−1")


def test_a_finished_year_has_no_in_progress_note(time_machine):
    """令和7年度 ended on 31 March 2026: its report, made in 令和8年度, has no note and no mark."""
    time_machine.move_to(local(2026, 12, 5, 7), tick=False)
    make_event(program_code="mirai_taiwa", starts=local(2025, 10, 18, 14), people=["青木", "井上"])

    assert selectors.report_content(program_code="mirai_taiwa", fiscal_year=2025).in_progress_note == ""
    text = one_line(pdf_text(report_render_pdf(program_code="mirai_taiwa", fiscal_year=2025)))
    assert "年度途中" not in text
