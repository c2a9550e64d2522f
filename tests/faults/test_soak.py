"""The soak of `make bench` (ops/soak.py), run briefly against gunicorn on the test database:
its members really register and cancel, its pages really answer, and it counts what it sees,
so the figures `soak_errors` and `soak_rss_growth_mb` of the bench mean something."""

from __future__ import annotations

import pytest

from events.models import Registration
from ops import soak
from tests import services as test_services
from tests.events.factories import EventFactory
from tests.faults.helpers import Gunicorn
from tests.projects.factories import ProjectGroupFactory

pytestmark = [pytest.mark.faults, pytest.mark.postgres]


def test_a_short_soak_registers_cancels_and_counts_no_error(transactional_db, tmp_path, lost):
    """Ten seconds at 8 clients: no 5xx, no unexpected answer, at least one register/cancel
    cycle, every registration cancelled again, memory sampled for both workers."""
    test_services.require_postgres()
    ProjectGroupFactory.create_batch(3)
    EventFactory.create_batch(2, capacity=None)
    EventFactory(capacity=1)  # full after one registration: the waitlist path
    plan = soak.prepare(members=8)
    assert len(plan["cookies"]) == 8 and len(plan["register_events"]) == 3 and len(plan["groups"]) == 3
    gunicorn = Gunicorn(log=tmp_path / "gunicorn.log")
    try:
        gunicorn.wait_healthy()
        # Registrations more often than in the bench, so that ten seconds see several.
        load = soak.Soak(port=gunicorn.port, plan=plan, seconds=10, registration_share=0.3)
        result = soak.soak(load, master_pid=gunicorn.process.pid)
    finally:
        gunicorn.stop()
    active = Registration.objects.exclude(status=Registration.Status.CANCELLED).count()
    lost(
        "soak (10 s)",
        lost=result.errors,
        requests=result.requests,
        errors=result.errors,
        unexpected=result.unexpected,
        registrations=result.registrations,
        cancellations=result.cancellations,
        rss_growth_mb=result.rss_growth_mb,
    )
    assert result.requests > 20 and result.registrations >= 1 and result.cancellations >= 1
    assert result.errors == 0, result.statuses
    assert result.unexpected == 0, result.statuses
    assert len(result.rss_start_kb) == 2 and set(result.rss_end_kb) == set(result.rss_start_kb)
    assert result.figures()["soak_errors"]["value"] == 0
    # A cycle cut short by the deadline may leave one registration per client.
    assert result.registrations - result.cancellations == active <= 8
