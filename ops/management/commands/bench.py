"""python manage.py bench: `make bench`.

1. Builds a scaled demo dataset in a database of its own (PostgreSQL `<name>_bench` when
   DATABASE_URL points at PostgreSQL, else var/bench.sqlite3), reused while its scales match.
2. Counts each page's queries in-process.
3. Serves the app with gunicorn on loopback and loads the bare view and every page from the apps'
   hooks (`bench_pages`) with a bounded number of keep-alive clients.
4. Soaks the same server for a few minutes with mixed traffic (ops/soak.py): 5xx count and the
   memory growth of each worker, reported as the tasks `soak_errors` and `soak_rss_growth_mb`.
5. Times the apps' `bench_tasks` (report rendering).
The last line printed is one JSON object. Nothing here passes or fails: it measures.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from pypdf import PdfReader

from core.app_hooks import BenchPage
from ops import soak
from ops.bench import load

# Per-app scales of the bench dataset: groups seeds ~290 × scale groups (over 10,000 at 35),
# matching 60 × scale businesses and 3 × scale departments (2,100 and 105 at 35). Other apps
# stay at their demo size unless listed.
DEFAULT_APP_SCALES = {"groups": 35, "matching": 35}
BENCH_SETTINGS = "config.settings.bench"


class Command(BaseCommand):
    help = "ベンチマーク: 専用データベースに大きなデモデータを作り、gunicorn に負荷をかけて計測します。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--phase", choices=["run", "inspect", "tasks"], default="run", help=ARGPARSE_HIDDEN
        )
        parser.add_argument("--clients", type=int, default=4, help="同時接続数（既定 4）")
        parser.add_argument(
            "--requests", type=int, default=400, help="1ページあたりの要求数の上限（既定 400）"
        )
        parser.add_argument("--seconds", type=float, default=10.0, help="1ページあたりの時間の上限（秒）")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn のワーカー数（既定 2）")
        parser.add_argument("--fresh", action="store_true", help="データベースを作り直す")
        parser.add_argument(
            "--app-scale", action="append", default=[], metavar="APP=N", help="アプリごとの倍率"
        )
        parser.add_argument("--only", default="", help="計測するページ名（カンマ区切り）")
        parser.add_argument(
            "--soak-seconds", type=float, default=300.0, help="ソークの秒数（既定 300、0 で省略）"
        )

    def handle(self, *args, phase: str, **options):
        if phase == "inspect":
            self.stdout.write(json.dumps(inspect_pages(), ensure_ascii=False))
            return
        if phase == "tasks":
            self.stdout.write(json.dumps(time_tasks(), ensure_ascii=False))
            return
        self.run(**options)

    # --- The whole run -----------------------------------------------------------------------

    def run(self, *, clients, requests, seconds, workers, fresh, app_scale, only, soak_seconds, **_options):
        started = time.monotonic()
        scales = {**DEFAULT_APP_SCALES, **parse_scales(app_scale)}
        env = bench_environment()
        self.say(f"データベース: {redact(env['DATABASE_URL'])}  倍率: {scales}")
        prepare_database(env, scales, fresh=fresh, out=self.say)

        info = json.loads(self.manage(env, "bench", "--phase", "inspect").splitlines()[-1])
        pages = info["pages"]
        if only:
            wanted = {name.strip() for name in only.split(",")}
            pages = {name: page for name, page in pages.items() if name in wanted}
        not_ok = {name: page["status"] for name, page in pages.items() if page["status"] != 200}
        if not_ok:
            raise CommandError(f"ベンチのページが 200 を返しません（ステータス）: {not_ok}")

        port = free_port()
        server = start_gunicorn(env, port=port, workers=workers)
        results: dict[str, dict] = {}
        soaked: dict[str, dict] = {}
        try:
            wait_until_healthy(port)
            bare = self.measure(port, "/_bench/bare", "", clients, requests, seconds)
            self.say(format_row("bare", bare, None))
            for name, page in pages.items():
                cookie = info["cookies"].get(page["as_user"] or "", "")
                summary = self.measure(port, page["path"], cookie, clients, requests, seconds)
                summary["queries"] = page["queries"]
                summary["status"] = page["status"]
                results[name] = summary
                self.say(format_row(name, summary, page["queries"]))
            if soak_seconds > 0:
                soaked = soak.run(
                    env=env,
                    base_dir=Path(settings.BASE_DIR),
                    port=port,
                    master_pid=server.pid,
                    seconds=soak_seconds,
                    out=self.say,
                )
        finally:
            stop(server)

        self.say("タスクの計測 ...")
        tasks = json.loads(self.manage(env, "bench", "--phase", "tasks").splitlines()[-1])
        for name, figures in tasks.items():
            line = f"  {name:<28} {figures['seconds']:>8.2f} s"
            if "pages" in figures:
                line += f"  {figures['pages']}ページ"
            if figures.get("limit"):
                within = figures["seconds"] < figures["limit"]
                line += f"  （上限 {figures['limit']} s: {'達成' if within else '超過'}）"
            self.say(line)
        self.say(f"所要時間: {time.monotonic() - started:.0f} s")
        report = {
            "bare": {k: bare[k] for k in ("rps", "p50_ms", "p95_ms")},
            "pages": {
                name: {k: summary[k] for k in ("rps", "p50_ms", "p95_ms", "queries")}
                for name, summary in results.items()
            },
            "tasks": {**tasks, **soaked},
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    def measure(self, port, path, cookie, clients, requests, seconds) -> dict:
        # Warm up: imports, template loading and the connection pool of each worker.
        load(
            host="127.0.0.1",
            port=port,
            path=path,
            clients=clients,
            requests=clients * 4,
            max_seconds=10,
            cookie=cookie,
        )
        result = load(
            host="127.0.0.1",
            port=port,
            path=path,
            clients=clients,
            requests=requests,
            max_seconds=seconds,
            cookie=cookie,
        )
        return result.summary()

    def manage(self, env: dict, *args: str) -> str:
        completed = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise CommandError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
        return completed.stdout

    def say(self, text: str) -> None:
        self.stdout.write(text)


ARGPARSE_HIDDEN = "（内部用）"


def parse_scales(pairs: list[str]) -> dict[str, int]:
    scales = {}
    for pair in pairs:
        app_label, _, value = pair.partition("=")
        if not value.isdigit():
            raise CommandError(f"--app-scale は APP=N の形で指定してください: {pair}")
        scales[app_label] = int(value)
    return scales


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def bench_database_url() -> str:
    """The bench's own database beside the configured one."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(configured)
        name = parts.path.lstrip("/") or "kyodo"
        return urlunsplit(parts._replace(path=f"/{name}_bench"))
    path = Path(settings.BASE_DIR) / "var" / "bench.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def bench_environment() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DJANGO_SETTINGS_MODULE=BENCH_SETTINGS, DATABASE_URL=bench_database_url(), PYTHONUNBUFFERED="1")
    env.pop("REDIS_URL", None)  # tasks timed in-process; the cache is per process
    return env


def prepare_database(env: dict, scales: dict[str, int], *, fresh: bool, out) -> None:
    marker = Path(settings.BASE_DIR) / "var" / "bench-dataset.json"
    wanted = {"scales": scales, "database": env["DATABASE_URL"], "apps": list(settings.PROJECT_APPS)}
    if not fresh and marker.exists() and json.loads(marker.read_text()) == wanted:
        out("既存のベンチマーク用データベースを使います（作り直すには --fresh）。")
        return
    marker.unlink(missing_ok=True)
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        recreate_postgres_database(url)
    started = time.monotonic()
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    run("migrate", "--noinput")
    scale_args = [arg for app, value in scales.items() for arg in ("--app-scale", f"{app}={value}")]
    seeded = run("seed_demo", *scale_args)
    out(seeded.stdout.strip())
    out(f"データ作成: {time.monotonic() - started:.0f} s")
    marker.write_text(json.dumps(wanted))


def recreate_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # A UTF-8 LC_CTYPE so that pg_trgm makes trigrams from Japanese.
        connection.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, *, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
    )


def wait_until_healthy(port: int, timeout: float = 60) -> None:
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise CommandError("gunicorn did not answer /healthz")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def format_row(name: str, summary: dict, queries: int | None) -> str:
    q = "" if queries is None else f"{queries:>4} queries"
    return (
        f"  {name:<28} {summary['rps']:>8.1f} req/s  p50 {summary['p50_ms']:>7.2f} ms  "
        f"p95 {summary['p95_ms']:>7.2f} ms  {q}  errors {summary['errors']}"
    )


# --- Phases that run inside the bench database (subprocesses) ---------------------------------


def collect_pages() -> dict[str, BenchPage]:
    from core.app_hooks import collect

    pages: dict[str, BenchPage] = {}
    for _app, hook in collect("bench_pages"):
        for name, page in hook(scale=1).items():
            pages[name] = page if isinstance(page, BenchPage) else BenchPage(path=str(page))
    return pages


def inspect_pages() -> dict:
    """Query counts (in-process) and session cookies for the pages that need an account."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import User

    pages = collect_pages()
    cookies: dict[str, str] = {}
    clients: dict[str | None, Client] = {None: Client()}
    for page in pages.values():
        if page.as_user and page.as_user not in clients:
            client = Client()
            client.force_login(User.objects.get(email=page.as_user))
            clients[page.as_user] = client
            cookies[page.as_user] = (
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            )
    found = {}
    for name, page in pages.items():
        client = clients[page.as_user]
        client.get(page.path)  # warm caches, as the load's warm-up does
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
        found[name] = {
            "path": page.path,
            "as_user": page.as_user,
            "queries": len(queries),
            "status": response.status_code,
        }
    return {"pages": found, "cookies": cookies}


def time_tasks() -> dict:
    from core.app_hooks import collect

    timings = {}
    for _app, hook in collect("bench_tasks"):
        for name, task in hook().items():
            started = time.perf_counter()
            result = task()
            timings[name] = {"seconds": round(time.perf_counter() - started, 2)}
            if isinstance(result, bytes) and result.startswith(b"%PDF"):
                # WeasyPrint writes compressed object streams: count pages by reading the PDF.
                timings[name]["pages"] = len(PdfReader(io.BytesIO(result)).pages)
            if getattr(task, "limit_seconds", None):
                timings[name]["limit"] = task.limit_seconds
    return timings
