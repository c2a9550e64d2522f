from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from ops.backup import backup_create


class Command(BaseCommand):
    help = "データベースとアップロードファイルを日付のフォルダーにバックアップします（make backup）。"

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(settings.BACKUP_ROOT), help="保存先（既定 BACKUP_ROOT）")

    def handle(self, *args, to: str, **options):
        folder = backup_create(target_root=Path(to))
        self.stdout.write(self.style.SUCCESS(f"バックアップを作成しました: {folder}"))
