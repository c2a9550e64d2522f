"""python manage.py anonymise_consultations [--years N] [--dry-run]"""

from django.conf import settings
from django.core.management.base import BaseCommand

from consultations import services
from consultations.models import Consultation


class Command(BaseCommand):
    help = (
        "保存期間（settings.CONSULTATION_RETENTION_YEARS 年）を過ぎた相談記録の個人情報を匿名化します。"
        "件数などの集計は変わりません。アクセスログに記録されます。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help=f"保存年数（省略時は設定値 {settings.CONSULTATION_RETENTION_YEARS} 年）",
        )
        parser.add_argument("--dry-run", action="store_true", help="対象の件数だけを表示し、変更しない")

    def handle(self, *args, years: int | None, dry_run: bool, **options):
        cutoff = services.retention_cutoff(years=years)
        if dry_run:
            count = Consultation.objects.expired(before=cutoff).count()
            self.stdout.write(
                f"{cutoff:%Y年%-m月%-d日}より前の相談記録のうち、匿名化の対象: {count}件（変更していません）"
            )
            return
        count = services.consultations_anonymise_expired(
            years=years, path="manage.py anonymise_consultations"
        )
        self.stdout.write(
            self.style.SUCCESS(f"{cutoff:%Y年%-m月%-d日}より前の相談記録 {count}件を匿名化しました。")
        )
