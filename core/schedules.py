"""Periodic tasks: the union of the apps' beat schedules (hook "beat_schedule", see core.app_hooks)."""

from core.app_hooks import collect


def collect_beat_schedule() -> dict:
    schedule: dict = {}
    for _app_label, entries in collect("beat_schedule"):
        schedule.update(entries)
    return schedule
