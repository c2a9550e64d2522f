"""`make test-dates` moves the clock of the whole test process (--fake-now, tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from core.fiscal import current_fiscal_year, fiscal_year_of

JST = dt.timezone(dt.timedelta(hours=9))


def test_every_clock_of_the_process_stands_at_the_fake_now(request):
    """Django's now, the Japan date, time.time() and date.today() all start from --fake-now."""
    value = request.config.getoption("--fake-now")
    if not value:
        pytest.skip("runs under make test-dates (--fake-now)")
    asked = dt.datetime.fromisoformat(value)
    now = timezone.now()
    elapsed = now - asked
    # The clock ticks from the instant asked for: at most the length of the run has passed.
    assert dt.timedelta(0) <= elapsed < dt.timedelta(minutes=20)
    assert abs(time.time() - now.timestamp()) < 5
    assert abs(dt.datetime.now(dt.UTC) - now) < dt.timedelta(seconds=5)
    japan_now = now.astimezone(JST)
    assert timezone.localdate() == japan_now.date()
    assert dt.date.today() in {japan_now.date(), now.date()}  # the process's zone is Japan or UTC
    assert current_fiscal_year() == fiscal_year_of(japan_now.date())


@pytest.mark.parametrize(
    ("instant", "fiscal_year"),
    [
        ("2027-03-31T23:59+09:00", 2026),
        ("2027-04-01T00:00+09:00", 2027),
        ("2027-03-31T15:00+00:00", 2027),  # 1 April 00:00 in Japan, given in UTC as faketime would
    ],
)
def test_the_japan_date_decides_the_fiscal_year_at_the_turn(instant, fiscal_year):
    import time_machine

    with time_machine.travel(dt.datetime.fromisoformat(instant), tick=False):
        assert current_fiscal_year() == fiscal_year
