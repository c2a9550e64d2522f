"""Tests: fast hashing, mail kept in memory, a private media folder of its own."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
_TMP = Path(tempfile.mkdtemp(prefix="kyodo-test-"))
MEDIA_ROOT = _TMP / "media"
PRIVATE_MEDIA_ROOT = _TMP / "private"
STORAGES = {
    **STORAGES,
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
}
# Tests that need a real worker and broker use the celery_worker fixture; everything else
# runs tasks in-process so that a test sees their effect.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
STATIC_ROOT = _TMP / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Sessions in the database whether or not REDIS_URL is set, so that a page's asserted query count
# is the same on every machine (with Redis, base.py reads sessions from the cache: one query fewer).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
