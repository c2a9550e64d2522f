"""core.shortcuts.safe_next: the one rule for the `next` address the profile, event and matching
pages follow (tests/trust/test_leaks.py checks those pages against the usual tricks)."""

import pytest
from django.test import RequestFactory

from core.shortcuts import safe_next


@pytest.mark.parametrize("target", ["/events/1/", "/matching/pipeline/?status=proposed"])
def test_a_path_of_this_site_is_followed(target):
    """Posted or in the query string, a path of this site is the page to go back to."""
    factory = RequestFactory()
    assert safe_next(factory.get("/x/", {"next": target}), "/fallback/") == target
    assert safe_next(factory.post("/x/", {"next": target}), "/fallback/") == target


@pytest.mark.parametrize(
    "target", ["", "https://evil.example/", "//evil.example/", "http://testserver/events/", "events/"]
)
def test_anything_else_gives_the_fallback(target):
    """Another site, an absolute address (even this site's) or a relative path: the fallback."""
    request = RequestFactory().get("/x/", {"next": target})
    assert safe_next(request, "/fallback/") == "/fallback/"
    assert safe_next(request) == ""
