"""A browser and device named in Japanese from a User-Agent string: 「Chrome（Windows のパソコン）」.

For the sessions page (ログイン中の端末): people recognise their own devices by these words, not
by the raw header. Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

_BROWSERS = (
    (r"Edg(e|A|iOS)?/", "Microsoft Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Line/", _("LINE のブラウザー")),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
)
_DEVICES = (
    (r"iPad", "iPad"),
    (r"iPhone", "iPhone"),
    (r"Android.*Mobile", _("Android のスマートフォン")),
    (r"Android", _("Android のタブレット")),
    (r"Windows", _("Windows のパソコン")),
    (r"Macintosh|Mac OS X", "Mac"),
    (r"CrOS", "Chromebook"),
    (r"Linux", _("Linux のパソコン")),
)


def describe_user_agent(user_agent: str | None) -> str:
    """「Chrome（Windows のパソコン）」, or 「不明なブラウザー」 when nothing is recognised."""
    text = user_agent or ""
    browser = next((str(name) for pattern, name in _BROWSERS if re.search(pattern, text)), "")
    device = next((str(name) for pattern, name in _DEVICES if re.search(pattern, text)), "")
    if browser and device:
        return _("%(browser)s（%(device)s）") % {"browser": browser, "device": device}
    return browser or device or _("不明なブラウザー")
