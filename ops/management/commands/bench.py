"""python manage.py bench: `make bench`.

1. Builds a scaled demo dataset in a database of its own (PostgreSQL `<name>_bench` when
   DATABASE_URL points at PostgreSQL, else var/bench.sqlite3), reused while its scales match.
2. Counts each page's queries in-process.
3. Serves the app with gunicorn on loopback and loads the bare view and every page from the apps'
   hooks (`bench_pages`) with a bounded number of keep-alive clients.
4. Soaks the same server for a few minutes with mixed traffic (ops/soak.py): 5xx count and the
   memory growth of each worker, reported as the tasks `soak_errors` and `soak_rss_growth_mb`;
   then the abuse soak (ops/soak_abuse.py): p95 of 4 normal clients alone and beside 8 clients
   sending overlong keywords and failed logins, as `abuse_p95_ratio` and `abuse_errors`.
5. Times the apps' `bench_tasks` (report rendering) and the peak memory of the process while
   each runs. `--tasks a,b` times only the tasks named (every app still prepares its own), with
   no pages and no soak, and keeps no results file: to measure one task again after a change.
Every page is reported with its throughput as a share of the bare view of the same run (the bare
runs just before and just after it: the machine's speed moves within a run), against its target
(ops/bench.py). `--scale N` multiplies every app's data by N in a database of its own
(`<name>_bench<N>`); each run's figures are kept in var/bench-scale<N>.json, and a run at N > 1
prints the ratio of each page's p95 and each task's seconds to the last scale-1 run.
The last line printed is one JSON object. Nothing here passes or fails: it measures.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from pypdf import PdfReader

from core.app_hooks import BenchPage
from ops import bench as figures
from ops import soak, soak_abuse
from ops.bench import free_port, gunicorn_command, load
from ops.demo import parse_app_scales

# Per-app scales of the bench dataset: groups seeds ~290 × scale groups (over 10,000 at 35),
# matching 60 × scale businesses and 3 × scale departments (2,100 and 105 at 35); spaces at 2
# and above books 会議室A in 15-minute slots, over 10,000 bookings in the year (space_week).
# Other apps stay at their demo size unless listed.
DEFAULT_APP_SCALES = {"groups": 35, "matching": 35, "spaces": 2}
BENCH_SETTINGS = "config.settings.bench"


class Command(BaseCommand):
    help = "ベンチマーク: 専用データベースに大きなデモデータを作り、gunicorn に負荷をかけて計測します。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--phase", choices=["run", "inspect", "tasks"], default="run", help=ARGPARSE_HIDDEN
        )
        parser.add_argument("--clients", type=int, default=4, help="同時接続数（既定 4）")
        parser.add_argument(
            "--requests",
            type=int,
            default=2000,
            help="1ページあたりの要求数の上限（既定 2000。送信のページは 400 まで）",
        )
        parser.add_argument("--seconds", type=float, default=10.0, help="1ページあたりの時間の上限（秒）")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn のワーカー数（既定 2）")
        parser.add_argument("--fresh", action="store_true", help="データベースを作り直す")
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="データ量の倍率（既定 1。10 で団体 約10万・企業 約2万・担当課 約1,000）",
        )
        parser.add_argument(
            "--app-scale", action="append", default=[], metavar="APP=N", help="アプリごとの倍率"
        )
        parser.add_argument("--only", default="", help="計測するページ名（カンマ区切り）")
        parser.add_argument(
            "--tasks",
            default="",
            help="計測するタスク名（カンマ区切り）。指定するとページとソークを省き、そのタスクだけを計測",
        )
        parser.add_argument(
            "--soak-seconds",
            type=float,
            default=300.0,
            help="ソークと乱用ソークそれぞれの秒数（既定 300、0 で省略）",
        )
        parser.add_argument(
            "--skip-tasks",
            action="store_true",
            help="タスク（報告書の作成など）を計測しない（ページだけを測るとき）",
        )

    def handle(self, *args, phase: str, **options):
        if phase == "inspect":
            # A posted page needs one form per request: the warm-up's, the load's, the count's two.
            posts = posted_requests(options["requests"]) + options["clients"] * WARM_UP_PER_CLIENT + 2
            self.stdout.write(json.dumps(inspect_pages(posts=posts), ensure_ascii=False))
            return
        if phase == "tasks":
            self.stdout.write(json.dumps(time_tasks(names(options["tasks"])), ensure_ascii=False))
            return
        self.run(**options)

    # --- The whole run -----------------------------------------------------------------------

    def run(
        self,
        *,
        clients,
        requests,
        seconds,
        workers,
        fresh,
        app_scale,
        only,
        soak_seconds,
        scale,
        skip_tasks=False,
        tasks="",
        **_options,
    ):
        started = time.monotonic()
        if scale < 1:
            raise CommandError("--scale は1以上を指定してください。")
        scales = {
            **{app: value * scale for app, value in DEFAULT_APP_SCALES.items()},
            **parse_app_scales(app_scale),
        }
        env = bench_environment(scale)
        self.say(f"データベース: {redact(env['DATABASE_URL'])}  全体の倍率: {scale}  アプリの倍率: {scales}")
        prepare_database(env, scales, scale=scale, fresh=fresh, out=self.say)
        if tasks:
            # Only these tasks: a partial run, so the last full run's results file stays as it is.
            timed = self.time_tasks(env, "--tasks", tasks)
            if not timed:
                raise CommandError(f"そのような名前のタスクはありません: {tasks}")
            self.stdout.write(json.dumps({"scale": scale, "tasks": timed}, ensure_ascii=False))
            return

        info = json.loads(
            self.manage(
                env, "bench", "--phase", "inspect", "--requests", str(requests), "--clients", str(clients)
            ).splitlines()[-1]
        )
        pages = info["pages"]
        # The bench removes the bookings of its earlier runs (inspect has just done so) and the soak
        # cancels registrations: their dead rows are vacuumed now, so that every run starts alike
        # whether or not the server runs autovacuum (this machine's does not).
        vacuum_dead_rows(env["DATABASE_URL"], out=self.say)
        if only:
            wanted = {name.strip() for name in only.split(",")}
            pages = {name: page for name, page in pages.items() if name in wanted}
        not_ok = {
            name: page["status"]
            for name, page in pages.items()
            if page["status"] not in (figures.POST_OK if page.get("bodies") is not None else {200})
        }
        if not_ok:
            raise CommandError(
                f"ベンチのページが 200（送信のページは転送）を返しません（ステータス）: {not_ok}"
            )

        port = free_port()
        empty_bench_cache(env)
        server = start_gunicorn(server_environment(env), port=port, workers=workers)
        self.say(f"gunicorn のログ（5xx のトレースバックもここ）: {GUNICORN_LOG}")
        results: dict[str, dict] = {}
        soaked: dict[str, dict] = {}
        try:
            wait_until_healthy(port)
            # The bare view runs before the first page and after each one: a page's share is
            # taken against the bare runs on either side of it (figures.bare_beside).
            # The first run after the server starts is slower by up to a third (connections,
            # template loading, the interpreter warming): it only warms up.
            self.measure(port, "/_bench/bare", "", clients, requests, seconds)
            bare_runs = [self.measure(port, "/_bench/bare", "", clients, requests, seconds)]
            self.say(format_row("bare", bare_runs[0], None))
            for name, page in pages.items():
                cookie = info["cookies"].get(page["as_user"] or "", "")
                summary = self.measure(
                    port, page["path"], cookie, clients, requests, seconds, bodies=page.get("bodies")
                )
                bare_runs.append(self.measure(port, "/_bench/bare", "", clients, requests, seconds))
                summary["queries"] = page["queries"]
                summary["status"] = page["status"]
                summary["bare_rps"] = round(figures.bare_beside(bare_runs[-2], bare_runs[-1]), 1)
                summary["share"] = figures.share(summary["rps"], summary["bare_rps"])
                summary["target_share"] = page["target_share"]
                results[name] = summary
                self.say(format_row(name, summary, page["queries"]))
            bare = figures.bare_summary(bare_runs)
            self.say(
                f"  素のビュー: {bare['runs']} 回の中央値 {bare['rps']:.0f} req/s"
                f"（{bare['min_rps']:.0f}〜{bare['max_rps']:.0f}）。各ページの比は前後の回の平均に対する値"
            )
            if soak_seconds > 0:
                soaked = soak.run(
                    env=env,
                    base_dir=Path(settings.BASE_DIR),
                    port=port,
                    master_pid=server.pid,
                    seconds=soak_seconds,
                    out=self.say,
                )
                soaked |= soak_abuse.run(
                    env=env,
                    base_dir=Path(settings.BASE_DIR),
                    port=port,
                    seconds=soak_seconds,
                    out=self.say,
                )
        finally:
            stop(server)
            empty_bench_queue(env)

        tasks: dict[str, dict] = {} if skip_tasks else self.time_tasks(env)
        total_seconds = time.monotonic() - started
        self.say(f"所要時間: {total_seconds:.0f} s")
        report = {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "scale": scale,
            "seconds": round(total_seconds),
            "bare": bare,
            "pages": {
                name: {
                    k: summary[k]
                    for k in ("rps", "p50_ms", "p95_ms", "queries", "bare_rps", "share", "target_share")
                }
                for name, summary in results.items()
            },
            "tasks": {**tasks, **soaked},
        }
        if scale > 1:
            report["ratios"] = self.compare_with_scale_one(report)
        save_results(scale, report)
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    def time_tasks(self, env: dict, *args: str) -> dict:
        """Times the tasks in a process of their own (its peak memory is theirs) and prints them."""
        self.say("タスクの計測 ...")
        tasks = json.loads(self.manage(env, "bench", "--phase", "tasks", *args).splitlines()[-1])
        for name, task in tasks.items():
            line = f"  {name:<28} {task['seconds']:>8.2f} s"
            if "cpu_seconds" in task:
                line += f"（CPU {task['cpu_seconds']:.2f} s、負荷 {task['load']:.1f}）"
            if "pages" in task:
                line += f"  {task['pages']}ページ"
            if task.get("limit"):
                within = task["seconds"] < task["limit"]
                line += f"  （上限 {task['limit']} s: {'達成' if within else '超過'}）"
            if "rss_mb" in task:
                line += f"  メモリ最大 {task['rss_mb']:.0f} MB"
                if name.startswith("report_"):
                    within = task["rss_mb"] < figures.REPORT_RSS_TARGET_MB
                    line += f"（目標 {figures.REPORT_RSS_TARGET_MB} MB 未満: {'達成' if within else '超過'}）"
            self.say(line)
        return tasks

    def compare_with_scale_one(self, report: dict) -> dict:
        baseline_path = results_path(1)
        if not baseline_path.exists():
            self.say(
                "倍率1の結果（var/bench-scale1.json）がないため、比は出せません。"
                "先に make bench を実行してください。"
            )
            return {}
        baseline = json.loads(baseline_path.read_text())
        found = figures.ratios(report, baseline)
        self.say(f"倍率 {report['scale']} ÷ 倍率1（{baseline.get('date', '日付不明')} の結果）:")
        speed = figures.machine_speed_change(report, baseline)
        self.say(
            f"  （ページの p95 の比は、素のビューの処理量の比 {speed:.2f} を掛けて"
            "マシンの速さの違いを除いた値。かっこ内は除く前の値）"
        )
        for kind, unit in (("pages", "p95"), ("tasks", "秒")):
            for name, ratio in found[kind].items():
                line = f"  {name:<28} {unit} の比 {ratio['ratio']:>6.2f}"
                if "raw" in ratio:
                    line += f"（{ratio['raw']:.2f}）"
                if ratio["target"]:
                    within = ratio["ratio"] <= ratio["target"]
                    line += f"  （目標 {ratio['target']} 以下: {'達成' if within else '未達'}）"
                self.say(line)
        return found

    def measure(self, port, path, cookie, clients, requests, seconds, bodies=None) -> dict:
        # Warm up: imports, template loading and the connection pool of each worker. A posted
        # page sends each form once: the warm-up takes the first ones.
        warm = clients * WARM_UP_PER_CLIENT
        if bodies is not None:
            requests = posted_requests(requests)
        load(
            host="127.0.0.1",
            port=port,
            path=path,
            clients=clients,
            requests=warm,
            max_seconds=10,
            cookie=cookie,
            bodies=None if bodies is None else bodies[:warm],
        )
        result = load(
            host="127.0.0.1",
            port=port,
            path=path,
            clients=clients,
            requests=requests,
            max_seconds=seconds,
            cookie=cookie,
            bodies=None if bodies is None else bodies[warm:],
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
WARM_UP_PER_CLIENT = 4
# A fast page's p95 over 400 requests (under half a second) moved by half from one run to the
# next; 2,000 (or --seconds, whichever ends first) hold it. A posted page sends a prepared form a
# request (a booking in a free slot each), and 400 of them are as many as the demo's slots allow.
POSTED_REQUESTS = 400


def posted_requests(requests: int) -> int:
    return min(requests, POSTED_REQUESTS)


def names(value: str) -> set[str]:
    """The names of a comma-separated option (empty: none named)."""
    return {name.strip() for name in value.split(",") if name.strip()}


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def bench_database_url(scale: int = 1) -> str:
    """The bench's own database beside the configured one (one per scale: `_bench`, `_bench10`)."""
    suffix = "" if scale == 1 else str(scale)
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(configured)
        name = parts.path.lstrip("/") or "kyodo"
        return urlunsplit(parts._replace(path=f"/{name}_bench{suffix}"))
    path = Path(settings.BASE_DIR) / "var" / f"bench{suffix}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def results_path(scale: int) -> Path:
    return Path(settings.BASE_DIR) / "var" / f"bench-scale{scale}.json"


def save_results(scale: int, report: dict) -> None:
    path = results_path(scale)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1))


def bench_environment(scale: int = 1) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE=BENCH_SETTINGS, DATABASE_URL=bench_database_url(scale), PYTHONUNBUFFERED="1"
    )
    # Tasks are timed in-process (no broker). The cache stays shared as in production when Redis
    # is there: the page cache and the login limits are then one for all gunicorn workers (with a
    # per-process cache, each worker would count failed logins and cache pages on its own).
    redis_url = env.pop("REDIS_URL", None)
    if redis_url:
        env["BENCH_CACHE_URL"] = bench_cache_url(redis_url)
    return env


BENCH_CACHE_DB = 15  # a Redis database of its own: emptied before each measured run
BENCH_BROKER_DB = 14  # the queue of the bench's gunicorn: emptied after the run (no worker reads it)


def bench_cache_url(redis_url: str, db: int = BENCH_CACHE_DB) -> str:
    return urlunsplit(urlsplit(redis_url)._replace(path=f"/{db}"))


def server_environment(env: dict) -> dict:
    """The bench's gunicorn, with Redis, queues its tasks as production does (BENCH_BROKER_URL): a
    page that sends mail is measured by what it does in the request (the outbox row, the message
    queued), not by the sending, which a worker does in production. The tasks phase keeps running
    tasks in-process, where they are timed."""
    url = env.get("BENCH_CACHE_URL")
    if not url:
        return env
    return {**env, "BENCH_BROKER_URL": bench_cache_url(url, BENCH_BROKER_DB)}


def _flush_redis(url: str | None) -> None:
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


def empty_bench_cache(env: dict) -> None:
    """Nothing cached by an earlier run or by the inspect phase: each run starts cold."""
    _flush_redis(env.get("BENCH_CACHE_URL"))


def empty_bench_queue(env: dict) -> None:
    """The messages the pages queued (no worker reads the bench's queue) do not pile up in Redis."""
    _flush_redis(server_environment(env).get("BENCH_BROKER_URL"))


def prepare_database(env: dict, scales: dict[str, int], *, scale: int = 1, fresh: bool, out) -> None:
    name = "bench-dataset.json" if scale == 1 else f"bench{scale}-dataset.json"
    marker = Path(settings.BASE_DIR) / "var" / name
    wanted = {
        "scale": scale,
        "scales": scales,
        "database": env["DATABASE_URL"],
        "apps": list(settings.PROJECT_APPS),
    }
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    if not fresh and marker.exists() and json.loads(marker.read_text()) == wanted:
        # The code may have gained migrations since the data was made (a pull, a branch).
        run("migrate", "--noinput")
        out("既存のベンチマーク用データベースを使います（作り直すには --fresh）。")
        return
    marker.unlink(missing_ok=True)
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        recreate_postgres_database(url)
    started = time.monotonic()
    run("migrate", "--noinput")
    scale_args = [arg for app, value in scales.items() for arg in ("--app-scale", f"{app}={value}")]
    seeded = run("seed_demo", "--scale", str(scale), *scale_args)
    out(seeded.stdout.strip())
    out(f"データ作成: {time.monotonic() - started:.0f} s")
    marker.write_text(json.dumps(wanted))


# Dead rows in a table that make the bench vacuum it before measuring.
DEAD_ROWS_TO_VACUUM = 1000


def vacuum_dead_rows(url: str, *, out) -> None:
    """VACUUM (ANALYZE) the bench database's tables holding more than DEAD_ROWS_TO_VACUUM dead rows."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT relid::regclass::text FROM pg_stat_user_tables WHERE n_dead_tup > %s ORDER BY 1",
                [DEAD_ROWS_TO_VACUUM],
            )
        ]
        for table in tables:
            # A regclass printed as text is quoted where it must be.
            connection.execute(f"VACUUM (ANALYZE) {table}")
    if tables:
        out(f"不要になった行の多い表を掃除しました（VACUUM）: {', '.join(tables)}")


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


GUNICORN_LOG = Path("var") / "bench-gunicorn.log"


def start_gunicorn(env: dict, *, port: int, workers: int) -> subprocess.Popen:
    """gunicorn on loopback; its log (the portal's log lines, tracebacks of any 5xx) goes to
    var/bench-gunicorn.log: the abuse soak makes thousands of security log lines."""
    log_path = Path(settings.BASE_DIR) / GUNICORN_LOG
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    return subprocess.Popen(
        gunicorn_command(port=port, workers=workers, keep_alive=30),
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
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
    row = (
        f"  {name:<28} {summary['rps']:>8.1f} req/s  p50 {summary['p50_ms']:>7.2f} ms  "
        f"p95 {summary['p95_ms']:>7.2f} ms  {q}  errors {summary['errors']}"
    )
    if "share" in summary:
        target = summary["target_share"]
        shares = "達成" if summary["share"] >= target else "未達"
        fast = "達成" if summary["p95_ms"] < figures.P95_TARGET_MS else "未達"
        row += (
            f"  素のビューの {summary['share']:.2f}（目標 {target} 以上: {shares}）"
            f"  p95 {figures.P95_TARGET_MS:.0f} ms 未満: {fast}"
        )
    return row


# --- Phases that run inside the bench database (subprocesses) ---------------------------------


def collect_pages() -> dict[str, BenchPage]:
    from core.app_hooks import collect

    pages: dict[str, BenchPage] = {}
    for _app, hook in collect("bench_pages"):
        for name, page in hook(scale=1).items():
            pages[name] = page if isinstance(page, BenchPage) else BenchPage(path=str(page))
    return pages


def inspect_pages(*, posts: int = 0) -> dict:
    """Query counts (in-process) and session cookies for the pages that need an account; for a
    posted page, `posts` forms (the first two are sent here: a warm-up, then the counted one) and the CSRF
    token the load sends with the rest (a cookie and the form field, as a browser does)."""
    from urllib.parse import urlencode

    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import User
    from ops.bench import target_share

    pages = collect_pages()
    cookies: dict[str, str] = {}
    clients: dict[str | None, Client] = {None: Client()}
    csrf = _get_new_csrf_string()
    for page in pages.values():
        if page.as_user and page.as_user not in clients:
            client = Client()
            client.force_login(User.objects.get(email=page.as_user))
            clients[page.as_user] = client
            cookies[page.as_user] = (
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}"
            )
    found = {}
    for name, page in pages.items():
        client = clients[page.as_user]
        bodies = None
        if page.post_data is not None:
            forms = page.post_data(max(posts, 3))
            client.post(*forms[0])  # warm caches, as the load's warm-up does
            with CaptureQueriesContext(connection) as queries:
                response = client.post(*forms[1])
            bodies = [(path, urlencode({**form, "csrfmiddlewaretoken": csrf})) for path, form in forms[2:]]
        else:
            client.get(page.path)  # warm caches, as the load's warm-up does
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page.path)
        found[name] = {
            "path": page.path,
            "as_user": page.as_user,
            "target_share": target_share(as_user=page.as_user, declared=page.target_share),
            "queries": len(queries),
            "status": response.status_code,
            "bodies": bodies,
        }
    return {"pages": found, "cookies": cookies}


def time_tasks(wanted: set[str] | frozenset[str] = frozenset()) -> dict:
    """Each app's bench tasks timed (only those in `wanted` when it names any)."""
    from core.app_hooks import collect
    from ops.bench import PeakRss

    timings = {}
    for _app, hook in collect("bench_tasks"):
        for name, task in hook().items():
            if wanted and name not in wanted:
                continue
            # The CPU time and the load beside the wall time: on a busy machine (2 cores, other work
            # running) the wall time of the same code moved by a third between runs, its CPU time
            # by a few per cent, so a slower run can be told from slower code.
            load_before = os.getloadavg()[0]
            with PeakRss() as memory:
                started, cpu_started = time.perf_counter(), time.process_time()
                result = task()
                timings[name] = {
                    "seconds": round(time.perf_counter() - started, 2),
                    "cpu_seconds": round(time.process_time() - cpu_started, 2),
                    "load": round(max(load_before, os.getloadavg()[0]), 1),
                }
            timings[name]["rss_mb"] = memory.peak_mb
            if isinstance(result, bytes) and result.startswith(b"%PDF"):
                # WeasyPrint writes compressed object streams: count pages by reading the PDF.
                timings[name]["pages"] = len(PdfReader(io.BytesIO(result)).pages)
            if getattr(task, "limit_seconds", None):
                timings[name]["limit"] = task.limit_seconds
    return timings
