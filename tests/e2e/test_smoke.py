import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_accessible(page, assert_accessible):
    """The home page renders in Japanese with the site navigation and passes axe."""
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("navigation", name="サイト内").is_visible()
    assert_accessible(page, "ホーム")
