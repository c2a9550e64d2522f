"""The soak of `make bench`: minutes of mixed traffic against the bench's gunicorn.

8 clients (keep-alive connections on loopback) for `seconds` (default 300) over public pages
(home, the group directory with varying keywords, group pages, the event calendar and event
pages, event searches) and event registrations by signed-in members (register, open the event,
cancel). Two figures come out, reported under "tasks" in the bench's JSON:

    soak_errors         5xx answers and requests with no answer, over the whole soak
    soak_rss_growth_mb  the largest growth of a gunicorn worker's resident memory (VmRSS) between
                        the end of the warm-up and the end of the soak

Bounded in time and in count, loopback only: it stops by itself. The members are accounts of
the bench database only (soak-memberNN@example.jp); their registrations from an earlier run are
removed before each soak, so the dataset does not drift.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

SOAK_CLIENTS = 8
SOAK_MEMBERS = 16
REGISTRATION_SHARE = 0.06  # of the clients' turns: a register → event page → cancel cycle
WARM_UP_FRACTION = 0.1
WARM_UP_MAX_SECONDS = 30.0
MAX_REQUESTS_PER_SECOND = 3000  # a ceiling on the count as well as on the time
KEYWORDS = [
    "子ども", "まちづくり", "環境", "福祉", "子育て", "防災", "高齢者", "音楽", "国際交流", "スポーツ",
    "みらい", "ボランティア", "食", "文化", "緑", "学習", "障害", "地域", "居場所", "NPO",
]  # fmt: skip
EVENT_KEYWORDS = ["対話", "講座", "子育て", "まち", "交流", "フェスタ"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CANCEL_LINK = re.compile(r'href="(/events/registrations/\d+/cancel/)"')


# --- Inside the bench database (a subprocess) --------------------------------------------------


def prepare(*, members: int = SOAK_MEMBERS) -> dict:
    """The soak's plan: member sessions and the pages to visit. Runs in the bench database."""
    import datetime as dt

    from django.conf import settings
    from django.db.models import Min
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from core.models import User
    from core.services import user_create
    from events.models import Event, Registration
    from groups.models import Group

    cookies = []
    users = []
    for n in range(members):
        email = f"soak-member{n:02d}@example.jp"
        user = User.objects.filter(email=email).first() or user_create(
            email=email, password=None, full_name=f"負荷 試験{n:02d}", full_name_kana="ふか しけん"
        )
        users.append(user)
        client = Client()
        client.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    Registration.objects.filter(person__user__in=users).delete()

    now = timezone.now()
    groups = [g.get_absolute_url() for g in Group.objects.public().order_by("?")[:60]]
    upcoming = (
        Event.objects.filter(is_public=True)
        .annotate(first_start=Min("sessions__starts_at"))
        .filter(first_start__gt=now + dt.timedelta(days=2))
        .order_by("first_start")[:60]
    )
    open_events = [
        e.pk for e in upcoming if e.registration_phase(first_starts_at=e.first_start, now=now) == "open"
    ]
    public_events = list(
        Event.objects.filter(is_public=True).order_by("-pk").values_list("pk", flat=True)[:60]
    )
    today = timezone.localdate()
    months = [(today.replace(day=1) + dt.timedelta(days=32 * k)).strftime("%Y-%m") for k in range(-2, 4)]
    return {
        "cookies": cookies,
        "groups": groups,
        "event_pages": [reverse("events:detail", args=[pk]) for pk in public_events],
        "register_events": open_events[:20],
        "calendar": [reverse("events:index")]
        + [f"{reverse('events:index')}?view=month&month={month}" for month in months],
        "directory": reverse("groups:index"),
        "events": reverse("events:index"),
        "matching": reverse("matching:index"),
        "login": reverse("account_login"),
        "members": [user.email for user in users],
    }


def prepare_in(env: dict, base_dir: Path) -> dict:
    code = "import django, json; django.setup(); from ops.soak import prepare; print(json.dumps(prepare()))"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=base_dir, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"soak: preparing failed:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- Memory of the gunicorn workers -----------------------------------------------------------------


def worker_pids(master_pid: int) -> list[int]:
    try:
        return [
            int(pid) for pid in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        ]
    except OSError:
        return []


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def sample_rss(master_pid: int) -> dict[int, int]:
    return {pid: kb for pid in worker_pids(master_pid) if (kb := rss_kb(pid)) is not None}


# --- The load ---------------------------------------------------------------------------------------


@dataclass
class SoakResult:
    seconds: float = 0.0
    requests: int = 0
    errors: int = 0
    unexpected: int = 0  # 4xx, or a registration that did not go through: counted, not an error
    registrations: int = 0
    cancellations: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    rss_start_kb: dict[int, int] = field(default_factory=dict)
    rss_end_kb: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)  # of every answered request

    @property
    def p95_ms(self) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1)

    @property
    def rss_growth_mb(self) -> float:
        growth = [
            self.rss_end_kb[pid] - kb for pid, kb in self.rss_start_kb.items() if pid in self.rss_end_kb
        ]
        return round(max(growth, default=0) / 1024, 1)

    @property
    def workers_replaced(self) -> int:
        """Workers present at the start and gone at the end (a crash or a timeout)."""
        return len(set(self.rss_start_kb) - set(self.rss_end_kb))

    def figures(self) -> dict:
        seconds = round(self.seconds, 1)
        return {
            "soak_errors": {"seconds": seconds, "value": self.errors},
            "soak_rss_growth_mb": {"seconds": seconds, "value": self.rss_growth_mb},
        }


class SoakClient:
    """One keep-alive connection; its own cookies; one member of its own for registrations."""

    def __init__(self, soak: Soak, number: int):
        self.soak = soak
        self.rng = random.Random(number)
        self.connection = self.connect()
        self.members = soak.plan["cookies"][number :: soak.clients]
        self.csrf: dict[str, str] = {}

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.soak.host, self.soak.port, timeout=30)

    def request(self, method: str, path: str, *, cookie: str = "", form: dict | None = None):
        if not self.soak.may_send():
            return None, ""
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = self.connect()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = self.connect()
            response, text, status = None, "", 0
        self.soak.count(status, (time.perf_counter() - began) * 1000)
        return response, text

    def public_page(self) -> None:
        plan, rng = self.soak.plan, self.rng
        choice = rng.random()
        if choice < 0.15:
            path = "/"
        elif choice < 0.40:
            keyword = quote(rng.choice(KEYWORDS))
            page = "&page=2" if rng.random() < 0.2 else ""
            path = f"{plan['directory']}?q={keyword}{page}"
        elif choice < 0.58 and plan["groups"]:
            path = rng.choice(plan["groups"])
        elif choice < 0.72:
            path = rng.choice(plan["calendar"])
        elif choice < 0.88 and plan["event_pages"]:
            path = rng.choice(plan["event_pages"])
        else:
            path = f"{plan['events']}?q={quote(rng.choice(EVENT_KEYWORDS))}"
        self.request("GET", path)

    def registration_cycle(self) -> None:
        """A member registers for an event, opens it, and cancels. A step that gets no answer
        (an error, already counted, or the end of the soak) ends the cycle; an answer that is not
        the expected one is counted as unexpected."""
        session = self.rng.choice(self.members)
        event = self.rng.choice(self.soak.plan["register_events"])
        register, detail = f"/events/{event}/register/", f"/events/{event}/"
        cookie = f"{session}; csrftoken={self.csrf[session]}" if session in self.csrf else session
        response, html = self.request("GET", register, cookie=cookie)
        if response is None:
            return
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.csrf[session] = value.split(";", 1)[0].removeprefix("csrftoken=")
        cookie = f"{session}; csrftoken={self.csrf.get(session, '')}"
        token = TOKEN.search(html)
        if response.status == 200 and token and session in self.csrf:
            form = {"csrfmiddlewaretoken": token.group(1), "needs": ""}
            response, _ = self.request("POST", register, cookie=cookie, form=form)
            if response is None:
                return
            if response.status != 302:
                self.soak.unexpected_answer()
                return
            self.soak.registered()
        elif response.status != 302:  # 302: still registered from a cycle the deadline cut short
            self.soak.unexpected_answer()
            return
        response, html = self.request("GET", detail, cookie=cookie)
        link = CANCEL_LINK.search(html)
        if response is None or not link:
            if response is not None:
                self.soak.unexpected_answer()
            return
        response, html = self.request("GET", link.group(1), cookie=cookie)
        token = TOKEN.search(html)
        if response is None or not token:
            if response is not None:
                self.soak.unexpected_answer()
            return
        form = {"csrfmiddlewaretoken": token.group(1)}
        response, _ = self.request("POST", link.group(1), cookie=cookie, form=form)
        if response is not None and response.status == 302:
            self.soak.cancelled()
        elif response is not None:
            self.soak.unexpected_answer()

    def run(self) -> None:
        while self.soak.may_send():
            share = self.soak.registration_share
            if self.members and self.soak.plan["register_events"] and self.rng.random() < share:
                self.registration_cycle()
            else:
                self.public_page()
        self.connection.close()


class Soak:
    """The load: `clients` connections to the server on `port` for `seconds`, and what they count."""

    def __init__(
        self,
        *,
        port: int,
        plan: dict,
        seconds: float,
        clients: int = SOAK_CLIENTS,
        registration_share: float = REGISTRATION_SHARE,
        host: str = "127.0.0.1",
    ):
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the soak only loads servers on this machine's loopback")
        self.host, self.port, self.plan, self.clients = host, port, plan, clients
        self.seconds, self.registration_share = seconds, registration_share
        self.result = SoakResult()
        self.lock = threading.Lock()
        self.deadline = time.monotonic() + seconds
        self.max_requests = int(seconds * MAX_REQUESTS_PER_SECOND)

    def may_send(self) -> bool:
        return time.monotonic() < self.deadline and self.result.requests < self.max_requests

    def count(self, status: int, milliseconds: float | None = None) -> None:
        with self.lock:
            self.result.requests += 1
            if status and milliseconds is not None:
                self.result.latencies_ms.append(milliseconds)
            self.result.statuses[status] = self.result.statuses.get(status, 0) + 1
            if status == 0 or status >= 500:
                self.result.errors += 1
            elif status >= 400:
                self.result.unexpected += 1

    def unexpected_answer(self) -> None:
        with self.lock:
            self.result.unexpected += 1

    def registered(self) -> None:
        with self.lock:
            self.result.registrations += 1

    def cancelled(self) -> None:
        with self.lock:
            self.result.cancellations += 1


def soak(load: Soak, *, master_pid: int) -> SoakResult:
    """Runs the soak; samples each worker's memory after the warm-up and at the end."""
    warm_up = min(load.seconds * WARM_UP_FRACTION, WARM_UP_MAX_SECONDS)
    threads = [threading.Thread(target=SoakClient(load, n).run, daemon=True) for n in range(load.clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(warm_up)
    load.result.rss_start_kb = sample_rss(master_pid)
    for thread in threads:
        thread.join(load.seconds + 60)
    load.result.rss_end_kb = sample_rss(master_pid)
    load.result.seconds = time.perf_counter() - began
    return load.result


def run(*, env: dict, base_dir: Path, port: int, master_pid: int, seconds: float, out) -> dict:
    """What `manage.py bench` calls: prepares in the bench database, soaks, reports the figures."""
    plan = prepare_in(env, base_dir)
    out(
        f"ソーク: {seconds:.0f} 秒、{SOAK_CLIENTS} クライアント（公開ページ・検索・会員の申込と取消）"
        f"  団体 {len(plan['groups'])}、催し {len(plan['event_pages'])}、"
        f"申込先 {len(plan['register_events'])}"
    )
    result = soak(Soak(port=port, plan=plan, seconds=seconds), master_pid=master_pid)
    start = ", ".join(f"{kb / 1024:.0f}" for kb in result.rss_start_kb.values())
    end = ", ".join(f"{kb / 1024:.0f}" for kb in result.rss_end_kb.values())
    out(
        f"  要求 {result.requests}（{result.requests / max(result.seconds, 0.001):.0f} req/s）"
        f"  5xx・無応答 {result.errors}  4xx・想定外 {result.unexpected}"
        f"  申込 {result.registrations}  取消 {result.cancellations}"
    )
    out(
        f"  ワーカーのメモリ (MB): 開始 [{start}] → 終了 [{end}]  最大増加 {result.rss_growth_mb} MB"
        + (f"  入れ替わったワーカー {result.workers_replaced}" if result.workers_replaced else "")
    )
    return result.figures()
