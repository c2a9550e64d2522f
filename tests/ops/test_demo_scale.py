"""The bench's large datasets: how far back the demo's dates reach, and enough names for them."""

import random

from core.demo import DEMO_YEARS_BACK, demo_years_back
from core.models import Area
from groups import demo as groups_demo
from matching.demo import _department_rows


def test_demo_reaches_ten_fiscal_years_at_scale_ten():
    assert demo_years_back(1) == DEMO_YEARS_BACK  # the demo's six fiscal years
    assert demo_years_back(10) + 1 == 10
    assert demo_years_back(35) == demo_years_back(10)  # ten fiscal years at most


def test_department_names_suffice_for_a_thousand_departments():
    areas = [Area(name=f"地区{n}", name_kana=f"ちく{n}") for n in range(12)]
    names = [row[0] for row in _department_rows(areas)]
    assert len(set(names)) == len(names) >= 3 * 350  # matching's scale at the bench's --scale 10


def test_group_names_suffice_for_a_hundred_thousand_groups():
    areas = [Area(name=f"地区{n}", name_kana=f"ちく{n}") for n in range(12)]
    names = list(groups_demo._names(random.Random(1), 105_000, areas))
    assert len({name for name, _kana, _topic in names}) == 105_000
