"""python manage.py seed_demo [--scale N]: a believable, fictional Japanese dataset.

Each app contributes through the seed_demo hook of its `<app>/demo.py` (see ops.demo), which calls
the app's own services. Each app's data is loaded once: running the command again changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from ops.demo import parse_app_scales, seed_all


class Command(BaseCommand):
    help = "デモデータ（架空の団体・催し・相談など）を作成します。2回目以降は何も変更しません。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="データ量の倍率（ベンチマーク用）")
        parser.add_argument("--seed", type=int, default=2025, help="乱数の種（同じ値なら同じデータ）")
        parser.add_argument(
            "--app-scale",
            action="append",
            default=[],
            metavar="APP=N",
            help="アプリごとの倍率（例: --app-scale groups=34）。--scale より優先します。",
        )

    def handle(self, *args, scale: int, seed: int, app_scale: list[str], **options):
        scales = parse_app_scales(app_scale)
        if scale < 1 or any(value < 1 for value in scales.values()):
            raise CommandError("倍率は1以上を指定してください。")
        seed_all(scale=scale, seed=seed, app_scales=scales, out=self.stdout)
        self.stdout.write(self.style.SUCCESS("デモデータの準備ができました。"))
        self.stdout.write(f"  職員のデモアカウント: {DEMO_STAFF_EMAIL} ／ パスワード: {DEMO_PASSWORD}")
