"""The abuse soak of `make bench`: does abuse slow down everybody else?

Right after the soak (ops/soak.py), on the same gunicorn, in two phases of `seconds / 2` each:

    quiet   4 normal clients: the soak's mix (public pages, searches, members' registrations)
    abuse   the same 4 normal clients while 8 abusive clients send, as fast as they are answered,
            overlong keyword searches (the directory, events, matching) and failed logins

Reported under "tasks" in the bench's JSON (targets in README):

    abuse_p95_ratio   p95 of the normal clients under abuse ÷ their p95 in the quiet phase (≤ 2)
    abuse_errors      5xx answers and requests with no answer, of all clients in both phases (0)

Bounded like the soak (in time and in count, loopback only). Every abusive request is bounded
too (abuse_requests): a keyword of at most MAX_KEYWORD_WORDS words in a request line short enough
for gunicorn to hand it to Django (a longer line is refused by gunicorn itself, which would test
nothing), and logins of the bench's own soak accounts with passwords that are never theirs.
allauth answers the failed logins and then refuses them (429): the accounts are only locked
for login by password, while the normal clients use their sessions.
"""

from __future__ import annotations

import functools
import random
import string
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

from ops import soak as quiet_soak

NORMAL_CLIENTS = 4
ABUSE_CLIENTS = 8
LOGIN_SHARE = 0.4  # of the abusive requests: a failed login; the rest are overlong searches
MAX_REQUEST_LINE = 4000  # gunicorn refuses lines over 4094 bytes before Django sees them
MAX_KEYWORD_WORDS = 2000
JAPANESE_WORDS = ["子ども", "まちづくり", "環境", "ボランティア", "ＮＰＯ法人", "居場所", "防災", "福祉"]
TARGET_RATIO = 2.0


@dataclass(frozen=True)
class AbuseRequest:
    method: str
    path: str
    form: dict | None = None  # a login form without its CSRF token (the client adds it)


def _keyword_path(rng: random.Random, base: str) -> str:
    """An overlong keyword on `base`: many one-letter words, many Japanese words, or one long
    word, as long as the request line allows."""
    budget = MAX_REQUEST_LINE - len(f"GET {base}?q= HTTP/1.1")
    shape = rng.choice(("letters", "japanese", "one_word"))
    words: list[str] = []
    encoded = 0
    while len(words) < MAX_KEYWORD_WORDS:
        if shape == "letters":
            word = rng.choice(string.ascii_lowercase)
        elif shape == "japanese":
            word = rng.choice(JAPANESE_WORDS)
        else:
            word = rng.choice(JAPANESE_WORDS[:3])
        separator = "" if shape == "one_word" or not words else " "
        cost = len(quote_plus(separator + word))
        if encoded + cost > budget:
            break
        words.append(separator + word)
        encoded += cost
    return f"{base}?q={quote_plus(''.join(words))}"


def abuse_requests(rng: random.Random, plan: dict) -> Iterator[AbuseRequest]:
    """The abusive clients' endless, bounded stream of requests."""
    targets = [plan["directory"], plan["events"], plan["matching"]]
    members = plan["members"]
    while True:
        if members and rng.random() < LOGIN_SHARE:
            email = rng.choice(members) if rng.random() < 0.7 else f"nobody{rng.randrange(10**6)}@example.jp"
            password = "wrong-" + "".join(rng.choices(string.ascii_letters + string.digits, k=12))
            yield AbuseRequest("POST", plan["login"], {"login": email, "password": password})
        else:
            yield AbuseRequest("GET", _keyword_path(rng, rng.choice(targets)))


class AbuseClient(quiet_soak.SoakClient):
    """One keep-alive connection sending abuse_requests; a CSRF cookie of its own for logins."""

    def __init__(self, soak: quiet_soak.Soak, number: int):
        self.soak = soak
        self.rng = random.Random(1000 + number)
        self.connection = self.connect()
        self.members = []
        self.csrf: dict[str, str] = {}
        self.cookie = ""
        self.token = ""

    def login_token(self) -> None:
        response, html = self.request("GET", self.soak.plan["login"])
        if response is None:
            return
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookie = value.split(";", 1)[0]
        token = quiet_soak.TOKEN.search(html)
        self.token = token.group(1) if token else ""

    def run(self) -> None:
        stream = abuse_requests(self.rng, self.soak.plan)
        while self.soak.may_send():
            abuse = next(stream)
            if abuse.form is None:
                self.request(abuse.method, abuse.path)
                continue
            if not self.token:
                self.login_token()
            form = {"csrfmiddlewaretoken": self.token, **abuse.form}
            self.request(abuse.method, abuse.path, cookie=self.cookie, form=form)
        self.connection.close()


@dataclass
class AbuseResult:
    quiet: quiet_soak.SoakResult
    normal: quiet_soak.SoakResult
    abusive: quiet_soak.SoakResult

    @property
    def ratio(self) -> float:
        return round(self.normal.p95_ms / self.quiet.p95_ms, 2) if self.quiet.p95_ms else 0.0

    @property
    def errors(self) -> int:
        return self.quiet.errors + self.normal.errors + self.abusive.errors

    def figures(self) -> dict:
        seconds = round(self.quiet.seconds + self.normal.seconds, 1)
        return {
            "abuse_p95_ratio": {"seconds": seconds, "value": self.ratio},
            "abuse_errors": {"seconds": seconds, "value": self.errors},
        }


def _phase(*, host: str, port: int, plan: dict, seconds: float, abusers: int):
    load = functools.partial(quiet_soak.Soak, host=host, port=port, plan=plan, seconds=seconds)
    normal, abusive = load(clients=NORMAL_CLIENTS), load(clients=abusers)
    clients = [quiet_soak.SoakClient(normal, n) for n in range(NORMAL_CLIENTS)]
    clients += [AbuseClient(abusive, n) for n in range(abusers)]
    threads = [threading.Thread(target=client.run, daemon=True) for client in clients]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    normal.result.seconds = abusive.result.seconds = time.perf_counter() - began
    return normal.result, abusive.result


def abuse_soak(*, port: int, plan: dict, seconds: float, host: str = "127.0.0.1") -> AbuseResult:
    half = seconds / 2
    quiet, _nobody = _phase(host=host, port=port, plan=plan, seconds=half, abusers=0)
    normal, abusive = _phase(host=host, port=port, plan=plan, seconds=half, abusers=ABUSE_CLIENTS)
    return AbuseResult(quiet=quiet, normal=normal, abusive=abusive)


def run(*, env: dict, base_dir: Path, port: int, seconds: float, out) -> dict:
    """What `manage.py bench` calls after the soak."""
    plan = quiet_soak.prepare_in(env, base_dir)
    out(
        f"乱用ソーク: 静かなとき {seconds / 2:.0f} 秒（通常 {NORMAL_CLIENTS} クライアント）→ 乱用中 "
        f"{seconds / 2:.0f} 秒（通常 {NORMAL_CLIENTS} ＋ 長いキーワードと失敗するログインの "
        f"{ABUSE_CLIENTS} クライアント）"
    )
    result = abuse_soak(port=port, plan=plan, seconds=seconds)
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(result.abusive.statuses.items()))
    within = result.ratio <= TARGET_RATIO and result.quiet.p95_ms > 0
    out(
        f"  通常クライアントの p95: 静かなとき {result.quiet.p95_ms} ms（{result.quiet.requests} 要求）"
        f" → 乱用中 {result.normal.p95_ms} ms（{result.normal.requests} 要求）"
        f"  {result.ratio} 倍（目標 {TARGET_RATIO:.0f} 倍以内: {'達成' if within else '未達'}）"
    )
    out(
        f"  乱用の要求 {result.abusive.requests}（{statuses}）"
        f"  5xx・無応答 {result.errors}（目標 0: {'達成' if result.errors == 0 else '未達'}）"
    )
    return result.figures()
