"""`make bench`: production-like (DEBUG off, persistent connections) but over plain HTTP on loopback,
with one extra page: a bare view that renders a small template, to compare the others against."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "config.urls_bench"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["loggers"]["django.request"]["level"] = "ERROR"  # noqa: F405
LOGGING["loggers"]["celery"]["level"] = "WARNING"  # noqa: F405

# The bench's gunicorn shares one cache between its workers when Redis is there (ops bench sets
# BENCH_CACHE_URL from REDIS_URL, a database of its own), and queues its tasks in another
# (BENCH_BROKER_URL) as production does; the bench's tasks phase runs them in-process.
BENCH_CACHE_URL = env_str("BENCH_CACHE_URL", "")  # noqa: F405
if BENCH_CACHE_URL:
    CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": BENCH_CACHE_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
BENCH_BROKER_URL = env_str("BENCH_BROKER_URL", "")  # noqa: F405
if BENCH_BROKER_URL:
    CELERY_BROKER_URL = BENCH_BROKER_URL
    CELERY_TASK_ALWAYS_EAGER = False
