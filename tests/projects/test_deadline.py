"""The deadline is 23:59:59 JST of the call's last day: accepted up to then, refused a second later."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from projects import services
from projects.models import ProposalStatus
from tests.projects.factories import ProposalFactory

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")


def test_submission_at_235959_jst_on_the_last_day_is_accepted(call, group, proposer):
    proposal = ProposalFactory(call=call, group=group)
    with time_machine.travel(dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=JST), tick=False):
        services.proposal_submit(proposal=proposal, by=proposer)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_submission_at_midnight_after_the_last_day_is_refused_with_a_clear_message(call, group, proposer):
    proposal = ProposalFactory(call=call, group=group)
    with (
        time_machine.travel(dt.datetime(2026, 12, 1, 0, 0, 0, tzinfo=JST), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        services.proposal_submit(proposal=proposal, by=proposer)
    assert "締切（2026年11月30日 23時59分）を過ぎた" in error.value.messages[0]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT


def test_the_deadline_is_japan_time_not_utc(call, group, proposer):
    """15:00 UTC on the last day is already 00:00 JST the next day."""
    proposal = ProposalFactory(call=call, group=group)
    with (
        time_machine.travel(dt.datetime(2026, 11, 30, 15, 0, 0, tzinfo=dt.UTC), tick=False),
        pytest.raises(ValidationError),
    ):
        services.proposal_submit(proposal=proposal, by=proposer)


def test_submission_before_the_call_opens_is_refused(call, group, proposer):
    proposal = ProposalFactory(call=call, group=group)
    with (
        time_machine.travel(dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=JST), tick=False),
        pytest.raises(ValidationError, match="受付を始めていません"),
    ):
        services.proposal_submit(proposal=proposal, by=proposer)


def test_a_returned_proposal_may_be_resubmitted_after_the_deadline(call, group, proposer):
    proposal = ProposalFactory(call=call, group=group, returned=True)
    with time_machine.travel(dt.datetime(2026, 12, 10, 12, 0, tzinfo=JST), tick=False):
        services.proposal_submit(proposal=proposal, by=proposer)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_the_submit_page_refuses_after_the_deadline_and_keeps_the_draft(call, group, proposer, client_for):
    """Through the page: the message is shown and the draft stays as it was."""
    proposal = ProposalFactory(call=call, group=group)
    client = client_for(proposer)
    with time_machine.travel(dt.datetime(2026, 12, 1, 0, 0, 0, tzinfo=JST), tick=False):
        response = client.post(f"/projects/proposals/{proposal.pk}/submit/", follow=True)
    assert "締切（2026年11月30日 23時59分）を過ぎたため" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
