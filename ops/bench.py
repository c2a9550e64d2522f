"""The machinery of `make bench` (see ops/management/commands/bench.py)."""

from __future__ import annotations

import http.client
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port nothing listens on at the moment, on the loopback address."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def gunicorn_command(*, port: int, workers: int, keep_alive: int, timeout: int | None = None) -> list[str]:
    """The gunicorn of this virtualenv serving the portal on the loopback port: threaded workers
    of two threads each (the bench's 4 clients are served at once by its default 2 workers; the
    image runs 3 plain workers, which measured the same within the noise of this machine),
    logging warnings and worse only."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"{LOOPBACK}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "2",
        "--keep-alive",
        str(keep_alive),
    ]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    return [*command, "--log-level", "warning"]


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
        return ordered[index]

    def summary(self) -> dict:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(0.50), 2),
            "p95_ms": round(self.percentile(0.95), 2),
            "requests": self.requests,
            "errors": self.errors,
        }


# What answers a posted form (a booking): the redirect to the result, or the page itself.
POST_OK = frozenset({200, 302, 303})


def load(
    *,
    host: str,
    port: int,
    path: str,
    clients: int,
    requests: int,
    max_seconds: float,
    cookie: str = "",
    bodies: list[tuple[str, str]] | None = None,
) -> LoadResult:
    """Sends `requests` GETs (at most `max_seconds`) from `clients` keep-alive connections; with
    `bodies` ((path, url-encoded form) pairs), POSTs instead, each once, until they run out.

    Bounded in count and time, loopback only: it stops by itself.
    """
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("the bench only loads servers on this machine's loopback")
    result = LoadResult()
    lock = threading.Lock()
    remaining = [requests if bodies is None else min(requests, len(bodies))]
    pending = list(reversed(bodies or []))
    deadline = time.monotonic() + max_seconds
    headers = {"Cookie": cookie} if cookie else {}
    if bodies is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    ok = POST_OK if bodies is not None else frozenset({200})

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline:
                    break
                remaining[0] -= 1
                target, body = pending.pop() if bodies is not None else (path, None)
            started = time.perf_counter()
            try:
                if body is None:
                    connection.request("GET", target, headers=headers)
                else:
                    connection.request("POST", target, body=body.encode(), headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=30)
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                result.requests += 1
                result.latencies_ms.append(elapsed)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                # Every bench page must answer 200 (a posted form: its redirect): a redirect to the
                # login page is no measurement.
                if status not in ok:
                    result.errors += 1
        connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + 60)
    result.seconds = time.perf_counter() - began
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


# --- Targets and comparisons (README「ベンチマーク」) -------------------------------------------------

# Throughput as a share of the bare view of the same run: pages that name their own target
# (BenchPage.target_share) use it; other public pages and staff pages use these.
PUBLIC_SHARE = 0.2
STAFF_SHARE = 0.1
# p95 of every page at 4 clients.
P95_TARGET_MS = 50.0
# Ratios of scale N to scale 1: p95 of each page, seconds of the named tasks.
PAGE_RATIO_TARGET = 1.5
TASK_RATIO_TARGETS = {"report_program": 3.0, "report_all": 5.0}
# Peak memory (resident set) of the process while one report task runs.
REPORT_RSS_TARGET_MB = 500


def target_share(*, as_user: str | None, declared: float | None) -> float:
    if declared is not None:
        return declared
    return STAFF_SHARE if as_user else PUBLIC_SHARE


def share(page_rps: float, bare_rps: float) -> float:
    return round(page_rps / bare_rps, 3) if bare_rps else 0.0


def bare_beside(before: dict, after: dict) -> float:
    """The bare view's throughput beside a page: the mean of the runs just before and just after it.

    The machine's speed moves within one run (the bare view measured once at the start was a
    third slower than a cached page measured a minute later), so each page is compared with the
    bare view of its own minute."""
    return (before["rps"] + after["rps"]) / 2


def bare_summary(samples: list[dict]) -> dict:
    """The run's bare view: the medians of all its runs (the figure scale runs are compared by)."""
    return {
        "rps": round(median([s["rps"] for s in samples]), 1),
        "p50_ms": round(median([s["p50_ms"] for s in samples]), 2),
        "p95_ms": round(median([s["p95_ms"] for s in samples]), 2),
        "runs": len(samples),
        "min_rps": min(s["rps"] for s in samples),
        "max_rps": max(s["rps"] for s in samples),
    }


def ratios(current: dict, baseline: dict) -> dict:
    """p95 (pages) and seconds (tasks) of this run over the same figures of a scale-1 run, for
    what both runs measured.

    A page's ratio is also given adjusted for the speed of the machine in each run: the bare view
    does the same work at every scale, so the change of its throughput between the two runs is
    the machine's, not the data's (on a shared 2-core machine it moves by a third from one hour to
    the next). The target is judged on the adjusted ratio; the raw one is kept beside it."""
    found: dict[str, dict] = {"pages": {}, "tasks": {}}
    speed = machine_speed_change(current, baseline)
    for name, page in current.get("pages", {}).items():
        before = baseline.get("pages", {}).get(name)
        if before and before.get("p95_ms"):
            raw = page["p95_ms"] / before["p95_ms"]
            found["pages"][name] = {
                "ratio": round(raw * speed, 2),
                "raw": round(raw, 2),
                "target": PAGE_RATIO_TARGET,
            }
    for name, task in current.get("tasks", {}).items():
        before = baseline.get("tasks", {}).get(name)
        if isinstance(task, dict) and before and before.get("seconds"):
            value = round(task["seconds"] / before["seconds"], 2)
            found["tasks"][name] = {"ratio": value, "target": TASK_RATIO_TARGETS.get(name)}
    return found


def machine_speed_change(current: dict, baseline: dict) -> float:
    """How much faster the machine ran the bare view in this run than in the baseline (1.0 when
    either run lacks it): a p95 multiplied by it is in the baseline's machine time."""
    now = current.get("bare", {}).get("rps")
    before = baseline.get("bare", {}).get("rps")
    return now / before if now and before else 1.0


class PeakRss:
    """The highest resident set size (MB) of this process while the block runs, sampled every
    20 ms from /proc (Linux); elsewhere the process's lifetime peak from getrusage."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()

    @staticmethod
    def current_mb() -> float:
        try:
            with open("/proc/self/statm") as statm:
                pages = int(statm.read().split()[1])
            import os

            return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError):
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.current_mb())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self.peak_mb = self.current_mb()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = round(max(self.peak_mb, self.current_mb()), 1)
