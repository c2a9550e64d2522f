"""(c) PostgreSQL restarts under a bounded load of page views and form posts.

gunicorn (2 workers × 2 threads, bench settings: DEBUG off, persistent connections with health
checks) serves the test database on a free loopback port. Threads load public pages and members
post the event registration form (one POST per member, with the CSRF token of a GET made
before). PostgreSQL is restarted in the middle (fast shutdown: every connection is cut).

Expected: once /healthz answers again, no request gets a 5xx; every POST answered with success
(the redirect to the event) has saved its registration, and no registration exists for a POST
that was answered with an error. Errors during the outage itself are allowed: that is the outage.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from events.models import Registration
from tests import services as test_services
from tests.events.factories import EventFactory
from tests.faults.helpers import LOOPBACK, Gunicorn, ensure_postgres_running, restart_postgres, wait_for
from tests.projects.factories import ProjectGroupFactory

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

MEMBERS = 60  # posting until the database is back (then they wait)
MEMBERS_AFTER = 20  # kept for the posts after it is back, however long the outage lasts
GET_THREADS = 4
POST_THREADS = 2
POST_INTERVAL_S = 0.35
BEFORE_RESTART_S = 4.0
AFTER_BACK_S = 6.0
MAX_SECONDS = 90.0
MAX_REQUESTS = 20_000
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Sent:
    kind: str  # "GET" or "POST"
    path: str
    started: float
    status: int  # 0: no answer (connection refused or reset)
    user_id: int | None = None


class Load:
    """Bounded load from a few keep-alive connections on loopback; stops by itself."""

    def __init__(self, port: int):
        self.port = port
        self.sent: list[Sent] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.back = threading.Event()  # set when /healthz answers again after the restart
        self.deadline = time.monotonic() + MAX_SECONDS

    def running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline and len(self.sent) < MAX_REQUESTS

    def send(self, connection, method: str, path: str, *, body: str = "", cookie: str = ""):
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
            return response.status, response
        except (OSError, http.client.HTTPException):
            connection.close()
            return 0, None

    def record(self, sent: Sent) -> None:
        with self.lock:
            self.sent.append(sent)

    def pages(self, paths: list[str]) -> None:
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
        index = 0
        while self.running():
            path = paths[index % len(paths)]
            index += 1
            started = time.monotonic()
            status, _response = self.send(connection, "GET", path)
            self.record(Sent("GET", path, started, status))
            if status == 0:
                time.sleep(0.05)  # refused while the server's threads reconnect: do not spin
        connection.close()

    def posts(self, members: list[dict], reserved: list[dict], path: str) -> None:
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
        while self.running():
            with self.lock:
                pool = reserved if self.back.is_set() else members
                member = pool.pop() if pool else None
            if member is None:
                if self.back.is_set():
                    break
                time.sleep(0.1)
                continue
            body = urlencode({"csrfmiddlewaretoken": member["token"], "needs": "車いすで参加します。"})
            started = time.monotonic()
            status, response = self.send(connection, "POST", path, body=body, cookie=member["cookie"])
            if status == 302 and not response.getheader("Location", "").startswith(path.split("register")[0]):
                status = -302  # redirected somewhere else (the sign-in page): not a success
            self.record(Sent("POST", path, started, status, member["user_id"]))
            time.sleep(POST_INTERVAL_S)
        connection.close()


def prepare_members(make_user, gunicorn: Gunicorn, register_path: str) -> list[dict]:
    """Signed-in members with their session cookie and the CSRF token of the registration form."""
    members = []
    for n in range(MEMBERS + MEMBERS_AFTER):
        user = make_user(email=f"fault-member{n:03d}@example.jp", full_name=f"障害 試験{n}")
        client = Client()
        client.force_login(user)
        session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        connection = http.client.HTTPConnection(LOOPBACK, gunicorn.port, timeout=10)
        connection.request("GET", register_path, headers={"Cookie": session})
        response = connection.getresponse()
        html = response.read()
        assert response.status == 200, f"the registration form answers ({response.status})"
        csrf = re.search(rf"{settings.CSRF_COOKIE_NAME}=([^;]+)", response.getheader("Set-Cookie", ""))
        token = TOKEN.search(html)
        assert csrf and token, "the form carries a CSRF token"
        connection.close()
        members.append(
            {
                "user_id": user.pk,
                "token": token.group(1).decode(),
                "cookie": f"{session}; {settings.CSRF_COOKIE_NAME}={csrf.group(1)}",
            }
        )
    return members


def test_no_5xx_once_postgres_is_back_and_no_post_is_lost(transactional_db, make_user, tmp_path, lost):
    """Restart PostgreSQL in the middle of the load: after /healthz answers again there is no 5xx;
    every successful POST saved its row and no failed POST did."""
    test_services.require_postgres()
    event = EventFactory(capacity=None, title="障害注入 説明会")
    group = ProjectGroupFactory(name="障害注入の会")
    register_path = f"/events/{event.pk}/register/"
    public = [
        "/",
        "/groups/",
        "/groups/?q=%E3%81%BE%E3%81%A1",
        group.get_absolute_url(),
        "/events/",
        event.get_absolute_url(),
        "/projects/",
    ]

    gunicorn = Gunicorn(log=tmp_path / "gunicorn.log")
    restart_took = back_after = None
    try:
        gunicorn.wait_healthy()
        for path in public:
            assert gunicorn.get_status(path) == 200, f"{path} answers before the fault"
        members = prepare_members(make_user, gunicorn, register_path)
        reserved, members = members[:MEMBERS_AFTER], members[MEMBERS_AFTER:]
        load = Load(gunicorn.port)
        threads = [
            threading.Thread(target=load.pages, args=(public,), daemon=True) for _ in range(GET_THREADS)
        ]
        threads += [
            threading.Thread(target=load.posts, args=(members, reserved, register_path), daemon=True)
            for _ in range(POST_THREADS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(BEFORE_RESTART_S)
        fault_at = time.monotonic()
        try:
            restart_took = restart_postgres()
        finally:
            ensure_postgres_running()
            connections.close_all()  # this process's own connection was cut too
        wait_for(
            lambda: gunicorn.get_status("/healthz") == 200,
            timeout=60,
            what="/healthz after the restart",
            interval=0.1,
        )
        back_at = time.monotonic()
        load.back.set()
        back_after = back_at - fault_at
        time.sleep(AFTER_BACK_S)
        load.stop.set()
        for thread in threads:
            thread.join(MAX_SECONDS)
    finally:
        gunicorn.stop()
        ensure_postgres_running()

    sent = list(load.sent)
    after_back = [s for s in sent if s.started >= back_at]
    errors_after_back = [s for s in after_back if s.status == 0 or s.status >= 500]
    posts = [s for s in sent if s.kind == "POST"]
    saved = set(
        Registration.objects.filter(event=event, person__user_id__isnull=False)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("person__user_id", flat=True)
    )
    ok_posts = [p for p in posts if p.status == 302]
    failed_posts = [p for p in posts if p.status != 302]
    ok_not_saved = [p.user_id for p in ok_posts if p.user_id not in saved]
    errors_total = sum(s.status == 0 or s.status >= 500 for s in sent)
    failed_but_saved = [p.user_id for p in failed_posts if p.user_id in saved]
    lost(
        "(c) PostgreSQL restart under load",
        lost=len(errors_after_back) + len(ok_not_saved) + len(failed_but_saved),
        GET=sum(s.kind == "GET" for s in sent),
        POST=len(posts),
        POST_saved=len(ok_posts),
        POST_failed=len(failed_posts),
        errors_during_outage=errors_total - len(errors_after_back),
        requests_after_back=len(after_back),
        errors_after_back=len(errors_after_back),
        saved_but_reported_failed=len(failed_but_saved),
        reported_saved_but_missing=len(ok_not_saved),
        restart_s=round(restart_took or 0, 1),
        healthz_back_after_s=round(back_after or 0, 1),
    )
    assert len(after_back) > 20, "the load went on after the database came back"
    assert any(p.started >= back_at for p in posts) and any(p.started < fault_at for p in posts)
    assert errors_after_back == [], [(s.kind, s.path, s.status) for s in errors_after_back[:10]]
    assert ok_not_saved == [], "a POST answered with success did not save its row"
    assert failed_but_saved == [], "a POST answered with an error saved a row anyway"
    assert not [p for p in posts if p.status == -302], "every member stayed signed in"
