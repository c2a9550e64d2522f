from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import RestoreError, backup_restore


class Command(BaseCommand):
    help = (
        "backup で作ったフォルダーから、空のデータベースへ復元し、"
        "件数とファイルを照合します（make restore）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="バックアップのフォルダー（例: var/backups/20260401-030000）")

    def handle(self, *args, folder: str, **options):
        path = Path(folder)
        if not (path / "manifest.json").exists():
            raise CommandError(f"バックアップが見つかりません: {path}")
        try:
            found = backup_restore(folder=path)
        except RestoreError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(found["counts"].values())
        files = len(found["media"]) + len(found["private"])
        self.stdout.write(
            self.style.SUCCESS(f"復元しました: {total}行、{files}ファイル（件数とチェックサムは一致）")
        )
