"""Service control for the fault-injection suite: restart PostgreSQL and Redis (always leaving
them running), start gunicorn on loopback, wait for things.

Every function that stops a service starts it again in a `finally` and waits until it answers,
so a failing test never leaves the machine without its database or broker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from django.conf import settings

from ops.bench import LOOPBACK, free_port, gunicorn_command

PG_CLUSTER = ("15", "main")
PG_CTL = ["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER]
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# --- PostgreSQL -----------------------------------------------------------------------------------


def postgres_answers() -> bool:
    import psycopg

    try:
        with psycopg.connect(
            host=LOOPBACK, port=5432, user="postgres", dbname="postgres", connect_timeout=1
        ) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def ensure_postgres_running(timeout: float = 60) -> None:
    if postgres_answers():
        return
    subprocess.run([*PG_CTL, "start"], check=False, capture_output=True, timeout=60)
    wait_for(postgres_answers, timeout=timeout, what="PostgreSQL to answer", interval=0.2)


def restart_postgres() -> float:
    """`pg_ctlcluster restart` (fast shutdown: every connection is cut). Returns the seconds the
    restart took. PostgreSQL answers again when this returns, even if the restart failed."""
    started = time.monotonic()
    try:
        subprocess.run([*PG_CTL, "restart"], check=True, capture_output=True, timeout=60)
    finally:
        ensure_postgres_running()
    return time.monotonic() - started


# --- Redis ----------------------------------------------------------------------------------------


def redis_answers() -> bool:
    """A raw PING (redis-py retries with back-off and would hide how short the outage is)."""
    try:
        with socket.create_connection((LOOPBACK, 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_redis_running(timeout: float = 30) -> None:
    if redis_answers():
        return
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(REDIS_START, check=False, capture_output=True, timeout=20)
    wait_for(redis_answers, timeout=timeout, what="Redis to answer", interval=0.2)


def restart_redis() -> float:
    """Shuts Redis down without saving (it keeps nothing on disk here: every queue is lost) and
    starts it again. Redis answers when this returns, even if something failed."""
    started = time.monotonic()
    try:
        subprocess.run(
            ["redis-cli", "-h", LOOPBACK, "-p", "6379", "shutdown", "nosave"],
            check=False,
            capture_output=True,
            timeout=20,
        )
        wait_for(lambda: not redis_answers(), timeout=20, what="Redis to stop")
    finally:
        ensure_redis_running()
    return time.monotonic() - started


# --- Processes --------------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def database_url() -> str:
    """The database this test process uses (pytest-django's test database), as a URL."""
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or LOOPBACK}:{db.get('PORT') or 5432}/{db['NAME']}"


class Gunicorn:
    """gunicorn (bench settings: DEBUG off, persistent checked connections) on a free loopback
    port against the test database, in its own process group."""

    def __init__(self, *, log: Path, workers: int = 2):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.bench",
            DATABASE_URL=database_url(),
            SECRET_KEY=settings.SECRET_KEY,  # sessions made by the test process must verify
            PYTHONUNBUFFERED="1",
        )
        self.log = log
        self.process = subprocess.Popen(
            gunicorn_command(port=self.port, workers=workers, keep_alive=5, timeout=60),
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def get_status(self, path: str, timeout: float = 5) -> int:
        import http.client

        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            return 0
        finally:
            connection.close()

    def wait_healthy(self, timeout: float = 60) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {self.log.read_text(errors='replace')[-2000:]}")
        wait_for(
            lambda: self.get_status("/healthz") == 200,
            timeout=timeout,
            what="gunicorn /healthz",
            interval=0.2,
        )

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass


def files_under(root: Path) -> list[Path]:
    """Every file, hidden ones (a left-over `.name.pdf.xxxx.part`) included."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
