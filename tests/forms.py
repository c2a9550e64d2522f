"""Assertions about form pages, shared by the apps' view tests."""

from __future__ import annotations


def assert_refused_keeping_input(response, *, message: str, typed: str) -> None:
    """The form came back (200) naming the broken rule, with what was typed still in its field."""
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'value="{typed}"' in page
