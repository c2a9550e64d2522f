"""`make bench`: production-like (DEBUG off, persistent connections) but over plain HTTP on loopback,
with one extra page: a bare view that renders a small template, to compare the others against."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "config.urls_bench"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["loggers"]["django.request"]["level"] = "ERROR"  # noqa: F405
LOGGING["loggers"]["celery"]["level"] = "WARNING"  # noqa: F405
