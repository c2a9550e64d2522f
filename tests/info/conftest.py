import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import Theme

JST = ZoneInfo("Asia/Tokyo")
# A chosen day (not today): every date in these tests is relative to it.
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=JST), tick=False) as traveller:
        yield traveller


@pytest.fixture
def kosodate(db):
    return Theme.objects.get_or_create(
        name="子どもの健全育成を図る活動", defaults={"short_name": "子どもの健全育成"}
    )[0]


@pytest.fixture
def kankyo(db):
    return Theme.objects.get_or_create(name="環境の保全を図る活動", defaults={"short_name": "環境の保全"})[0]
