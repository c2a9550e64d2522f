"""core.workflow: transitions declared once; `apply` refuses in Japanese what is not allowed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from core.workflow import Transition, Workflow


class Light(models.TextChoices):
    RED = "red", "赤"
    GREEN = "green", "青"
    YELLOW = "yellow", "黄"


MOVES = Workflow.from_moves(
    Light, {Light.RED: (Light.GREEN,), Light.GREEN: (Light.YELLOW, Light.RED), Light.YELLOW: (Light.RED,)}
)


def test_moves_are_allowed_only_from_their_sources():
    assert MOVES.can(Light.RED, Light.GREEN)
    assert not MOVES.can(Light.RED, Light.YELLOW)
    assert not MOVES.can(Light.RED, "blue")
    assert MOVES.apply(Light.GREEN, Light.YELLOW) == Light.YELLOW


def test_next_keeps_the_declared_order():
    assert MOVES.next(Light.GREEN) == [Light.YELLOW, Light.RED]
    assert MOVES.next(Light.RED) == [Light.GREEN]


def test_a_refused_move_is_a_japanese_validation_error():
    with pytest.raises(ValidationError) as excinfo:
        MOVES.apply(Light.RED, Light.YELLOW)
    assert excinfo.value.messages == ["「赤」から「黄」には変更できません。"]


def test_named_actions_with_their_own_message_and_a_stay():
    workflow = Workflow(
        Light,
        [
            Transition("go", frozenset({Light.RED}), Light.GREEN, "進む"),
            Transition("check", frozenset({Light.RED, Light.GREEN}), None, "点検する"),
        ],
        refused="「%(from)s」のときは「%(to)s」ことはできません。",
    )
    assert workflow.apply(Light.GREEN, "check") == Light.GREEN
    assert workflow.next(Light.RED) == ["go", "check"]
    with pytest.raises(ValidationError, match="「黄」のときは「点検する」ことはできません。"):
        workflow.apply(Light.YELLOW, "check")


def test_a_transition_to_an_unknown_state_is_refused_when_declared():
    with pytest.raises(ValueError, match="blue"):
        Workflow(Light, [Transition("paint", frozenset({Light.RED}), "blue")])
