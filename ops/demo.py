"""The demo framework: `manage.py seed_demo` loads every app's demo data, once per app.

Each app keeps its demo data and the pages `make bench` loads in `<app>/demo.py`, registered for
the hooks seed_demo, bench_pages and bench_tasks (core.app_hooks), apart from the hooks the live
site runs. Apps are visited in settings.PROJECT_APPS order (dependency order), so an app's seed can
use the data of the apps before it.
"""

from __future__ import annotations

import random
import time

from django.core.management.base import CommandError
from django.db import connection, transaction

from core.app_hooks import collect
from core.models import DemoDataset


def parse_app_scales(pairs: list[str]) -> dict[str, int]:
    """The `--app-scale APP=N` options of seed_demo and bench, by app label."""
    scales = {}
    for pair in pairs:
        app_label, _, value = pair.partition("=")
        if not value.isdigit():
            raise CommandError(f"--app-scale は APP=N の形で指定してください: {pair}")
        scales[app_label.strip()] = int(value)
    return scales


def seed_all(*, scale: int, seed: int, app_scales: dict[str, int], out) -> None:
    """Loads every app's demo data that is not loaded yet, each app in its own transaction."""
    seeded = False
    for app_label, seed_app in collect("seed_demo"):
        app_scale = app_scales.get(app_label, scale)
        if DemoDataset.objects.filter(app_label=app_label).exists():
            out.write(f"  {app_label}: 作成済みのため変更なし")
            continue
        # Each app gets its own random stream, so adding an app does not change the others' data.
        rng = random.Random(f"{seed}:{app_label}")
        started = time.monotonic()
        with transaction.atomic():
            seed_app(scale=app_scale, rng=rng, out=out)
            DemoDataset.objects.create(app_label=app_label, scale=app_scale)
        seeded = True
        # Which app's data takes the time, when the bench builds its large datasets.
        out.write(f"    （{app_label}: {time.monotonic() - started:.1f} s）")
    if seeded and connection.vendor == "postgresql":
        # Bulk loads leave the planner without statistics until autovacuum comes round (it had not,
        # minutes after the bench's scale-10 seed): it then guesses one row per table and picks
        # nested loops that took seconds per report figure. ANALYZE reads a sample of each table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
