"""python manage.py seed_demo [--scale N]: a believable, fictional Japanese dataset.

Each app contributes through `seed_demo` in its hooks module (core.app_hooks), which calls the
app's own services. Each app's data is loaded once: running the command again changes nothing.
"""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from core.app_hooks import collect
from core.hooks import DEMO_STAFF_EMAIL
from core.demo import DEMO_PASSWORD
from core.models import DemoDataset


class Command(BaseCommand):
    help = "デモデータ（架空の団体・催し・相談など）を作成します。2回目以降は何も変更しません。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="データ量の倍率（ベンチマーク用）")
        parser.add_argument("--seed", type=int, default=2025, help="乱数の種（同じ値なら同じデータ）")

    def handle(self, *args, scale: int, seed: int, **options):
        if scale < 1:
            self.stderr.write("--scale は1以上を指定してください。")
            return
        for app_label, seed_app in collect("seed_demo"):
            if DemoDataset.objects.filter(app_label=app_label).exists():
                self.stdout.write(f"  {app_label}: 作成済みのため変更なし")
                continue
            # Each app gets its own random stream, so adding an app does not change the others' data.
            rng = random.Random(f"{seed}:{app_label}")
            with transaction.atomic():
                seed_app(scale=scale, rng=rng, out=self.stdout)
                DemoDataset.objects.create(app_label=app_label, scale=scale)
        self.stdout.write(self.style.SUCCESS("デモデータの準備ができました。"))
        self.stdout.write(f"  職員のデモアカウント: {DEMO_STAFF_EMAIL} ／ パスワード: {DEMO_PASSWORD}")
