"""{% url %} answers as Django's does, from addresses kept for the process (core.templatetags.kyodo)."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, set_script_prefix


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_the_same_addresses_as_django_with_arguments_and_as():
    """Names, positional and keyword arguments, `as`: the same addresses, asked twice."""
    for _ in range(2):
        assert render("{% url 'groups:index' %}") == "/groups/"
        assert render("{% url 'groups:detail' pk %}", pk=7) == "/groups/7/"
        assert render("{% url 'groups:detail' pk=pk %}", pk="8") == "/groups/8/"
        assert render("{% url 'groups:detail' 9 as link %}[{{ link }}]") == "[/groups/9/]"


def test_an_unknown_address_still_fails_and_as_still_gives_nothing():
    with pytest.raises(NoReverseMatch):
        render("{% url 'groups:no_such_page' %}")
    assert render("{% url 'groups:no_such_page' as link %}[{{ link }}]") == "[]"


def test_a_kept_address_follows_the_script_prefix():
    """Served under another prefix (SCRIPT_NAME), the same name is another address."""
    assert render("{% url 'groups:index' %}") == "/groups/"
    try:
        set_script_prefix("/portal/")
        assert render("{% url 'groups:index' %}") == "/portal/groups/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'groups:index' %}") == "/groups/"


def test_an_argument_of_another_type_is_looked_up_each_time():
    """Only plain strings and numbers are kept; an object is passed to reverse() as it is."""

    class Key:
        def __str__(self):
            return "11"

    assert render("{% url 'groups:detail' key %}", key=Key()) == "/groups/11/"


def test_a_loop_of_addresses_in_one_rendering():
    """The request's prefix is read once per rendering: every row of a table gets its own address,
    and the next rendering sees a changed prefix."""
    source = "{% for pk in pks %}{% url 'groups:detail' pk %} {% endfor %}"
    assert render(source, pks=[1, 2, 3]) == "/groups/1/ /groups/2/ /groups/3/ "
    try:
        set_script_prefix("/portal/")
        assert render(source, pks=[4]) == "/portal/groups/4/ "
    finally:
        set_script_prefix("/")
