"""Periodic tasks: the union of the apps' hooks.BEAT_SCHEDULE (see core.app_hooks)."""

from core.app_hooks import collect


def collect_beat_schedule() -> dict:
    schedule: dict = {}
    for _app_label, entries in collect("BEAT_SCHEDULE"):
        schedule.update(entries)
    return schedule
