"""The Celery app: `celery -A config worker` and `celery -A config beat`."""

import os

from celery import Celery

# Like wsgi.py and asgi.py: a worker runs production settings unless told otherwise (`make worker`
# and `make beat` ask for the local ones). Importing the config package runs this line first.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("kyodo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def register_schedules(sender: Celery, **kwargs) -> None:
    """Each app may register a beat schedule (hook "beat_schedule"); beat runs the union."""
    from core.schedules import collect_beat_schedule

    sender.conf.beat_schedule = collect_beat_schedule()


@app.task(name="core.ping")
def ping(value: str = "pong") -> str:
    """A task that proves the broker and a worker answer (tests and /healthz tooling)."""
    return value
