"""The bench's load generator: only a 200 counts as a measured page."""

import http.server
import threading
import time

import pytest

from ops.bench import load

posted: list[str] = []


@pytest.fixture
def redirecting_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status = 200 if self.path == "/ok" else 302
            self.send_response(status)
            self.send_header("Content-Length", "0")
            if status == 302:
                self.send_header("Location", "/accounts/login/")
            self.end_headers()

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            posted.append(self.path)
            self.send_response(302)
            self.send_header("Content-Length", "0")
            self.send_header("Location", "/done")
            self.end_headers()

        def log_message(self, *args):
            pass

    Handler.protocol_version = "HTTP/1.1"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_a_redirect_is_counted_as_an_error(redirecting_server):
    """A page that sends the load to the login page is reported, not timed as if it were served."""
    redirected = load(
        host="127.0.0.1", port=redirecting_server, path="/staff", clients=2, requests=6, max_seconds=10
    )
    assert redirected.requests == 6
    assert redirected.errors == 6
    assert redirected.statuses == {302: 6}
    served = load(
        host="127.0.0.1", port=redirecting_server, path="/ok", clients=2, requests=6, max_seconds=10
    )
    assert served.errors == 0 and served.statuses == {200: 6}


def test_a_posted_form_is_sent_once_per_body_and_its_redirect_is_the_answer(redirecting_server):
    """space_book: each request books another slot (its own path and form), a redirect is no error."""
    posted.clear()
    bodies = [(f"/book/{n % 2}", f"slot={n}") for n in range(7)]
    result = load(
        host="127.0.0.1",
        port=redirecting_server,
        path="/book/0",
        clients=3,
        requests=50,
        max_seconds=10,
        bodies=bodies,
    )
    assert result.requests == 7 and result.errors == 0 and result.statuses == {302: 7}
    assert sorted(posted) == sorted(path for path, _body in bodies)


def test_the_bench_loads_only_this_machine():
    with pytest.raises(ValueError):
        load(host="example.jp", port=80, path="/", clients=1, requests=1, max_seconds=1)


def test_each_page_is_judged_by_its_share_of_the_bare_view():
    from ops import bench

    assert bench.share(350.0, 700.0) == 0.5
    assert bench.target_share(as_user=None, declared=None) == bench.PUBLIC_SHARE == 0.2
    assert bench.target_share(as_user="staff@example.jp", declared=None) == bench.STAFF_SHARE == 0.1
    assert bench.target_share(as_user=None, declared=0.5) == 0.5


def test_a_page_is_compared_with_the_bare_runs_on_either_side_of_it():
    """The machine slowed down while the page ran: the page is judged against the bare view of its
    own minute, not against the first bare run of the whole run."""
    from ops import bench

    before, after = {"rps": 1500.0}, {"rps": 900.0}
    assert bench.bare_beside(before, after) == 1200.0
    assert bench.share(120.0, bench.bare_beside(before, after)) == 0.1


def test_the_runs_bare_view_is_the_median_of_its_runs():
    from ops import bench

    runs = [
        {"rps": 1500.0, "p50_ms": 2.0, "p95_ms": 4.0},
        {"rps": 900.0, "p50_ms": 3.0, "p95_ms": 9.0},
        {"rps": 1300.0, "p50_ms": 2.5, "p95_ms": 5.0},
    ]
    assert bench.bare_summary(runs) == {
        "rps": 1300.0,
        "p50_ms": 2.5,
        "p95_ms": 5.0,
        "runs": 3,
        "min_rps": 900.0,
        "max_rps": 1500.0,
    }


def test_a_larger_scale_is_compared_with_the_last_scale_one_run():
    from ops import bench

    baseline = {
        "pages": {"home": {"p95_ms": 20.0}, "gone": {"p95_ms": 5.0}},
        "tasks": {"report_all": {"seconds": 10.0}, "other": {"seconds": 2.0}},
    }
    current = {
        "pages": {"home": {"p95_ms": 25.0}, "new_page": {"p95_ms": 9.0}},
        "tasks": {"report_all": {"seconds": 40.0}, "other": {"seconds": 1.0}, "soak_errors": {"value": 0}},
    }
    found = bench.ratios(current, baseline)
    assert found["pages"] == {"home": {"ratio": 1.25, "raw": 1.25, "target": bench.PAGE_RATIO_TARGET}}
    assert found["tasks"] == {
        "report_all": {"ratio": 4.0, "target": 5.0},
        "other": {"ratio": 0.5, "target": None},
    }


def test_page_ratios_are_adjusted_for_the_speed_of_the_machine_in_each_run():
    from ops import bench

    baseline = {"bare": {"rps": 1200.0}, "pages": {"home": {"p95_ms": 4.0}}}
    # The bare view ran at two thirds of the baseline's speed: the machine, not the data.
    current = {"bare": {"rps": 800.0}, "pages": {"home": {"p95_ms": 9.0}}}
    found = bench.ratios(current, baseline)
    assert found["pages"]["home"] == {"ratio": 1.5, "raw": 2.25, "target": bench.PAGE_RATIO_TARGET}
    assert bench.machine_speed_change({"bare": {}}, baseline) == 1.0


def test_peak_memory_sees_a_short_allocation():

    from ops.bench import PeakRss

    with PeakRss(interval=0.005) as memory:
        before = PeakRss.current_mb()
        block = bytearray(64 * 2**20)
        block[::4096] = b"x" * len(block[::4096])
        # Until the sampling thread has seen it (a loaded machine, or faketime, can hold the thread
        # past a fixed sleep); the block is gone before the sampler stops either way.
        deadline = time.monotonic() + 5
        while memory.peak_mb < before + 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        del block
    assert memory.peak_mb >= before + 50


def test_only_the_tasks_named_are_timed(monkeypatch):
    from ops.management.commands import bench as command

    ran = []

    def tasks():
        return {"wanted": lambda: ran.append("wanted"), "other": lambda: ran.append("other")}

    monkeypatch.setattr("core.app_hooks.collect", lambda name: [("app", tasks)])
    assert command.names(" wanted, ,") == {"wanted"}
    assert set(command.time_tasks(command.names("wanted"))) == {"wanted"}
    assert ran == ["wanted"]
    assert set(command.time_tasks(command.names(""))) == {"wanted", "other"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_bench_vacuums_the_tables_its_earlier_runs_left_dead_rows_in(settings):
    """Its bookings of an earlier run are deleted before each run; where the server runs no
    autovacuum, the dead rows were never cleared and each run measured a slower booking."""
    from django.db import connection

    from ops.management.commands.bench import DEAD_ROWS_TO_VACUUM, vacuum_dead_rows
    from tests import services

    services.require_postgres()
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database.get('USER') or 'postgres'}@{database.get('HOST') or '127.0.0.1'}:"
        f"{database.get('PORT') or 5432}/{database['NAME']}"
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_dead_rows (id int)")
        cursor.execute("INSERT INTO bench_dead_rows SELECT generate_series(1, %s)", [DEAD_ROWS_TO_VACUUM * 2])
        cursor.execute("DELETE FROM bench_dead_rows")
    said: list[str] = []
    try:
        with connection.cursor() as cursor:
            # The statistics reach pg_stat_user_tables when the backend reports them.
            cursor.execute("SELECT pg_stat_force_next_flush()")
        vacuum_dead_rows(url, out=said.append)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'bench_dead_rows'"
            )
            assert cursor.fetchone() == (True,)
        assert said and "bench_dead_rows" in said[0]
        vacuum_dead_rows("sqlite:///db.sqlite3", out=said.append)  # nothing to do there
        assert len(said) == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_dead_rows")


def test_a_kept_bench_database_is_migrated_before_it_is_used(settings, tmp_path, monkeypatch):
    """The data is kept between runs; the code may have gained a migration since it was made
    (the bench then failed with 'column does not exist')."""
    import json
    import subprocess

    from ops.management.commands import bench

    settings.BASE_DIR = tmp_path
    (tmp_path / "var").mkdir()
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/kyodo_bench"}
    wanted = {
        "scale": 1,
        "scales": {"groups": 35},
        "database": env["DATABASE_URL"],
        "apps": list(settings.PROJECT_APPS),
    }
    (tmp_path / "var" / "bench-dataset.json").write_text(json.dumps(wanted))
    ran: list[list[str]] = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: ran.append(command[1:]))
    said: list[str] = []

    bench.prepare_database(env, {"groups": 35}, fresh=False, out=said.append)

    assert ran == [["manage.py", "migrate", "--noinput"]]
    assert said == ["既存のベンチマーク用データベースを使います（作り直すには --fresh）。"]


def test_a_task_s_cpu_time_and_the_load_are_recorded_beside_its_wall_time(monkeypatch):
    """A task that waits takes wall time but no CPU; one that computes takes both: a run slowed by
    a busy machine can be told from slower code."""
    from ops.management.commands import bench as command

    def compute():
        deadline = time.process_time() + 0.2
        while time.process_time() < deadline:
            pass

    tasks = {"waits": lambda: time.sleep(0.3), "computes": compute}
    monkeypatch.setattr("core.app_hooks.collect", lambda name: [("app", lambda: tasks)])
    timings = command.time_tasks()
    assert timings["waits"]["seconds"] >= 0.3
    assert timings["waits"]["cpu_seconds"] < 0.1
    assert timings["computes"]["cpu_seconds"] >= 0.2
    assert all(timing["load"] >= 0 for timing in timings.values())
