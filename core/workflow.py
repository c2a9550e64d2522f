"""State machines: the allowed changes of a status field, declared once and checked one way.

A Workflow is a set of named transitions, each from some states to one state (or to the same
state: a yearly confirmation). Status machines whose changes are simply "to status X" name each
transition by its target (`Workflow.from_moves`). Services call `apply`, which returns the new
state or raises a ValidationError in Japanese; pages ask `can` and `next` to offer the changes.
Who may make a change is not decided here but in each app's rules.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the state stays as it is
    label: str = ""  # how messages name the change; the target state's label by default


class Workflow:
    def __init__(
        self,
        states: type[models.TextChoices],
        transitions: Iterable[Transition],
        *,
        refused: str | None = None,
    ) -> None:
        self.states = states
        self.transitions = {transition.name: transition for transition in transitions}
        # %(from)s: the current state's label; %(to)s: the change's label.
        self.refused = refused or _("「%(from)s」から「%(to)s」には変更できません。")
        self._moves: dict[str, tuple[str, ...]] | None = None
        for transition in self.transitions.values():
            unknown = (set(transition.sources) | {transition.target} - {None}) - set(states.values)
            if unknown:
                raise ValueError(f"{transition.name}: unknown states {sorted(unknown)}")

    @classmethod
    def from_moves(
        cls,
        states: type[models.TextChoices],
        moves: Mapping[str, Iterable[str]],
        *,
        refused: str | None = None,
    ) -> Workflow:
        """From "state → the states it may change to": each transition is named by its target."""
        sources: dict[str, set[str]] = {}
        for source, targets in moves.items():
            for target in targets:
                sources.setdefault(target, set()).add(source)
        transitions = [Transition(name=str(t), sources=frozenset(s), target=t) for t, s in sources.items()]
        workflow = cls(states, transitions, refused=refused)
        workflow._moves = {str(source): tuple(str(t) for t in targets) for source, targets in moves.items()}
        return workflow

    def can(self, state: str, name: str) -> bool:
        transition = self.transitions.get(name)
        return transition is not None and state in transition.sources

    def next(self, state: str) -> list[str]:
        """The names of the transitions allowed from `state`, in the order they were declared."""
        if self._moves is not None:
            return list(self._moves.get(state, ()))
        return [name for name, transition in self.transitions.items() if state in transition.sources]

    def label(self, name: str) -> str:
        transition = self.transitions.get(name)
        if transition is None:
            return str(self.states(name).label) if name in self.states.values else name
        if transition.label:
            return str(transition.label)
        return str(self.states(transition.target).label) if transition.target else transition.name

    def apply(self, state: str, name: str) -> str:
        """The state after the transition `name`; a ValidationError when it is not allowed from `state`."""
        if not self.can(state, name):
            raise ValidationError(
                self.refused % {"from": self.states(state).label, "to": self.label(name)}, code="transition"
            )
        target = self.transitions[name].target
        return state if target is None else target
