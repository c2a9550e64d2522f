"""In Chromium at 1280 px: the admin's group list gives 団体名 room (never two characters per
line), the page carries the center's name and colours, and no English technical headings show."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_group_list_fits_1280(chromium_browser, live_server, make_user, settings):
    from core.roles import Role
    from tests.groups.factories import GroupFactory

    staff = make_user(roles=(Role.STAFF,), email="admin-staff@example.jp", full_name="協働 花子")
    for name in ("特定非営利活動法人 みらい子ども食堂ネットワーク", "本町三丁目自治会", "ひだまりの会"):
        GroupFactory(name=name, pending=True)
    client = Client()
    client.force_login(staff)
    context = chromium_browser.new_context(
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto("/admin/")
    assert settings.CENTER_NAME in page.locator("#site-name").inner_text()
    header_bg = page.locator("#header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_bg == "rgb(0, 23, 193)", header_bg  # the portal's key colour (blue-900, #0017c1)
    for english in ("Periodic", "Clocked", "Crontab", "Solar", "sessions", "Authenticator"):
        assert english not in page.locator("#content").inner_text()
    page.screenshot(path="/tmp/admin-index-1280.png", full_page=True)

    page.goto("/admin/groups/group/")
    cell = page.locator("#result_list th.field-name").first
    box = cell.bounding_box()
    assert box["width"] >= 180, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path="/tmp/admin-groups-1280.png", full_page=True)
    context.close()
