"""python manage.py generate_report PROGRAM_CODE FISCAL_YEAR --output FILE.pdf

Writes the same PDF the worker makes (reports.services.report_render_pdf), without queueing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.fiscal import fiscal_year_label
from events.models import Program
from reports.services import report_render_pdf, report_write_pdf


class Command(BaseCommand):
    help = "成果報告書のPDFを作成します（例: generate_report mirai_taiwa 2025 --output report.pdf）。"

    def add_arguments(self, parser):
        parser.add_argument("program_code", help="事業のコード（例: mirai_taiwa）。all は全事業")
        parser.add_argument("fiscal_year", type=int, help="年度の開始年（令和7年度なら 2025）")
        parser.add_argument("--output", "-o", required=True, help="書き出すPDFファイル")

    def handle(self, *args, program_code: str, fiscal_year: int, output: str, **options):
        code = None if program_code == "all" else program_code
        if code and not Program.objects.filter(code=code).exists():
            codes = ", ".join(Program.objects.values_list("code", flat=True))
            raise CommandError(f"事業のコード {program_code} はありません。使えるコード: all, {codes}")
        if not 1989 <= fiscal_year <= 2100:
            raise CommandError("年度は西暦の開始年で指定してください（令和7年度なら 2025）。")
        pdf = report_render_pdf(program_code=code, fiscal_year=fiscal_year)
        path = Path(output)
        report_write_pdf(path=path, pdf=pdf)
        self.stdout.write(
            f"{fiscal_year_label(fiscal_year)}の成果報告書を書き出しました: {path}（{len(pdf):,}バイト）"
        )
