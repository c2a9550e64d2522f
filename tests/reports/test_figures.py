"""How the report prints a figure's change from last year."""

import pytest

from reports.templatetags.report_tags import change


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (None, "—"),
        (0, "±0"),
        (12, "+12"),
        (-3, "−3"),
        (1234, "+1,234"),
        (0.26, "+0.3"),
        (-0.4, "−0.4"),
        # Two averages that both print 4.1 (4.1 − 4.1 in floating point, or 4.14 against 4.12).
        (4.1 - 4.1000000001, "±0"),
        (-0.02, "±0"),
        (0.04, "±0"),
    ],
)
def test_a_change_is_printed_as_its_figures_are(value, printed):
    assert change(value) == printed
