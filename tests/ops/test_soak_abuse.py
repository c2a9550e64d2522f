"""The abuse soak's clients send bounded requests (what they send, not how fast)."""

import itertools
import random
from urllib.parse import parse_qs, urlsplit

import pytest

from ops import soak, soak_abuse

PLAN = {
    "directory": "/groups/",
    "events": "/events/",
    "matching": "/matching/",
    "login": "/accounts/login/",
    "members": [f"soak-member{n:02d}@example.jp" for n in range(16)],
}


def sample(count: int = 600):
    return list(itertools.islice(soak_abuse.abuse_requests(random.Random(7), PLAN), count))


def test_overlong_keywords_stay_within_the_request_line_gunicorn_accepts():
    searches = [r for r in sample() if r.method == "GET"]
    assert len(searches) > 200
    lengths = []
    for request in searches:
        line = f"GET {request.path} HTTP/1.1"
        assert len(line.encode()) <= soak_abuse.MAX_REQUEST_LINE < 4094
        parts = urlsplit(request.path)
        assert parts.path in {"/groups/", "/events/", "/matching/"}
        keyword = parse_qs(parts.query)["q"][0]
        assert 0 < len(keyword.split()) <= soak_abuse.MAX_KEYWORD_WORDS
        lengths.append(len(line))
    # overlong indeed: close to the limit, the shape of the attack that stalled the workers
    assert min(lengths) > soak_abuse.MAX_REQUEST_LINE - 80  # a long word may not fit at the end
    assert max(len(parse_qs(urlsplit(r.path).query)["q"][0].split()) for r in searches) > 1000


def test_failed_logins_use_the_bench_accounts_with_wrong_passwords():
    logins = [r for r in sample() if r.method == "POST"]
    assert len(logins) > 150
    for request in logins:
        assert request.path == "/accounts/login/"
        assert set(request.form) == {"login", "password"}
        assert request.form["login"].endswith("@example.jp")
        assert request.form["password"].startswith("wrong-")
    assert any(r.form["login"] in PLAN["members"] for r in logins)


def test_the_abuse_soak_only_loads_this_machine():
    with pytest.raises(ValueError):
        soak.Soak(host="example.jp", port=80, plan=PLAN, clients=1, seconds=1, registration_share=0)


def test_the_ratio_compares_the_normal_clients_p95():
    quiet, normal, abusive = soak.SoakResult(), soak.SoakResult(), soak.SoakResult()
    quiet.latencies_ms = [10.0] * 95 + [20.0] * 5
    normal.latencies_ms = [10.0] * 90 + [30.0] * 10
    abusive.errors = 2
    result = soak_abuse.AbuseResult(quiet=quiet, normal=normal, abusive=abusive)
    assert (quiet.p95_ms, normal.p95_ms, result.ratio, result.errors) == (20.0, 30.0, 1.5, 2)
    assert result.figures()["abuse_errors"]["value"] == 2
