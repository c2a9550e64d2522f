"""Production settings, the compose file and the health check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production():
    """With DEBUG off, a real SECRET_KEY and ALLOWED_HOSTS, `check --deploy` has no warning."""
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.jp",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret_key():
    """Production does not start with the development SECRET_KEY."""
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="portal.example.jp",
        SECRET_KEY="django-insecure-development-only-change-me",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_logs_json_and_requires_mfa_for_staff():
    """Production writes one JSON object per log line and requires MFA for staff by default."""
    code = (
        "from django.conf import settings as s;"
        "print(s.LOGGING['handlers']['console']['formatter'], s.KYODO_REQUIRE_MFA_FOR_STAFF,"
        " s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.jp",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["json", "True", "True", "True"]


def test_postgres_connections_are_reused_with_health_checks(monkeypatch):
    """A PostgreSQL DATABASE_URL gives persistent, health-checked connections."""
    import importlib

    from config.settings import base

    monkeypatch.setenv("DATABASE_URL", "postgres://kyodo:secret@db.internal:5432/kyodo")
    reloaded = importlib.reload(base)
    try:
        database = reloaded.DATABASES["default"]
        assert database["ENGINE"] == "django.db.backends.postgresql"
        assert database["CONN_MAX_AGE"] > 0
        assert database["CONN_HEALTH_CHECKS"] is True
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(base)


def test_celery_is_json_only_and_eager_without_redis(monkeypatch):
    """Without REDIS_URL tasks run in-process; with it they go to Redis. JSON only either way."""
    import importlib

    from config.settings import base

    monkeypatch.delenv("REDIS_URL", raising=False)
    local = importlib.reload(base)
    assert local.CELERY_TASK_ALWAYS_EAGER is True
    # A per-process cache would keep a session that another process ended.
    assert local.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    remote = importlib.reload(base)
    try:
        assert remote.CELERY_TASK_ALWAYS_EAGER is False
        assert remote.CELERY_BROKER_URL == remote.CELERY_RESULT_BACKEND == "redis://cache.internal:6379/0"
        assert remote.CELERY_ACCEPT_CONTENT == ["json"]
        assert remote.CACHES["default"]["BACKEND"] == "core.cache.RedisCache"
        # Sessions are read from the shared cache only when there is one (see the next test).
        assert remote.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    finally:
        monkeypatch.undo()
        importlib.reload(base)


class TestComposeFile:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]

    def test_names_every_service_a_deployment_needs(self):
        """web, a worker per queue class, beat, postgres and redis are all there."""
        workers = {"worker-mail", "worker-bulk", "worker-reports", "worker-default"}
        assert {"web", *workers, "beat", "postgres", "redis"} <= set(self.services)

    def test_every_long_running_service_has_a_health_check(self):
        """Every service except the one-off migration has a health check."""
        for name, service in self.services.items():
            if name == "migrate":
                continue
            assert "healthcheck" in service, name
            assert service["healthcheck"]["test"], name

    def test_app_services_run_the_right_commands(self):
        """web runs gunicorn (the image's default), the workers and beat run Celery with config;
        each worker serves one queue, and together they serve every queue the settings route to."""
        dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
        assert "gunicorn" in dockerfile and "config.wsgi:application" in dockerfile
        assert "command" not in self.services["web"]
        served = set()
        workers = [name for name in self.services if name.startswith("worker-")]
        for name in workers:
            command = self.services[name]["command"]
            assert command[:4] == ["celery", "-A", "config", "worker"], name
            served.add(command[command.index("-Q") + 1])
        assert served == set(settings.TASK_QUEUE_NAMES)
        assert self.services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
        for name in ("web", *workers, "beat"):
            environment = self.services[name]["environment"]
            assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
            assert environment["REDIS_URL"].startswith("redis://redis:")
            assert environment["DATABASE_URL"].startswith("postgres://")

    def test_redis_keeps_its_queue_on_disk(self):
        """Redis runs append-only with a volume: a restart keeps queued tasks."""
        redis = self.services["redis"]
        assert "--appendonly" in redis["command"]
        assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
        assert any(volume.endswith(":/data") for volume in redis["volumes"])

    def test_volumes_for_database_redis_and_media(self):
        """The database, Redis and uploaded files live in named volumes."""
        assert {"postgres", "redis", "media"} <= set(self.compose["volumes"])
        assert any("/var/lib/postgresql/data" in v for v in self.services["postgres"]["volumes"])
        assert any(v.startswith("media:") for v in self.services["web"]["volumes"])

    def test_postgres_is_initialised_with_a_utf8_ctype(self):
        """pg_trgm needs a UTF-8 LC_CTYPE to make trigrams from Japanese."""
        assert "C.UTF-8" in self.services["postgres"]["environment"]["POSTGRES_INITDB_ARGS"]

    def test_web_waits_for_its_dependencies(self):
        """web starts after a healthy database and Redis and a finished migration."""
        depends = self.services["web"]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"

    def test_dockerfile_installs_weasyprint_libraries(self):
        """The image has Pango for WeasyPrint."""
        dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
        assert "libpango-1.0-0" in dockerfile and "libpangoft2-1.0-0" in dockerfile


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    """/healthz answers 200 with the database checked (and Redis when configured)."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert ("redis" in body["checks"]) == bool(settings.REDIS_URL)


@pytest.mark.django_db
def test_healthz_answers_any_host_over_plain_http(client, settings):
    """The load balancer probes by internal address: no ALLOWED_HOSTS or HTTPS redirect applies."""
    settings.ALLOWED_HOSTS = ["portal.example.jp"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_fails_when_the_database_does_not_answer(client, monkeypatch):
    """A broken database makes /healthz answer 503 so the balancer takes the node out."""
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accessibility/"])
def test_every_page_has_a_strict_content_security_policy(client, path):
    """Pages carry a CSP that allows scripts only from the site itself: no inline script."""
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
