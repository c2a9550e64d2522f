"""Session rules for people who handle personal data: staff and city officials."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from core.adapters import RATE_LIMITED_ATTR
from core.net import client_ip
from core.text import SEARCH_MAX_INPUT, SEARCH_PARAMETERS, SEARCH_REFUSE_INPUT

SESSION_STARTED = "kyodo_session_started"
SESSION_LAST_SEEN = "kyodo_session_last_seen"
# The last-seen time is rewritten at most this often: writing the session on every request costs
# a database write per page; an idle limit of minutes does not need second precision.
LAST_SEEN_RESOLUTION_SECONDS = 60


def handles_personal_data(user) -> bool:
    from core.permissions import may

    return may(user, "core.short_session")


class StaffSessionLifetimeMiddleware:
    """Ends a staff or official session after an idle period and after an absolute lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and handles_personal_data(user):
            now = int(time.time())
            started = request.session.get(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle_too_long = now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS
            too_old = now - started > settings.STAFF_SESSION_ABSOLUTE_SECONDS
            if idle_too_long or too_old:
                logout(request)
                messages.info(
                    request,
                    _(
                        "一定時間操作がなかったため、安全のためログアウトしました。もう一度ログインしてください。"
                    ),
                )
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = started
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class RequireStaffMfaMiddleware:
    """Two-factor authentication for everyone with a role (core/mfa.py).

    Their TOTP set-up page opens only after they followed a one-time link (mailed to their
    verified address, or issued by staff), and they cannot change their e-mail address
    themselves (the link must reach the address the center knows). When REQUIRE_MFA_FOR_STAFF is
    on (production), they are sent to set up TOTP before anything else."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/mfa/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core import mfa

        user = getattr(request, "user", None)
        if user is None or not mfa.needs_strong_authentication(user):
            return self.get_response(request)
        if request.path == reverse("mfa_activate_totp") and not mfa.enrolment_confirmed(request):
            if not mfa.user_has_totp(user):
                return redirect("core:mfa_enrol")
        if request.method == "POST" and request.path == reverse("account_email"):
            security_log.warning("email_change_refused user_id=%s ip=%s", user.pk, client_ip(request))
            messages.error(
                request,
                _(
                    "職員・市職員・審査委員・委員のメールアドレスは、ご自身では変更できません。"
                    "本人確認のうえセンターが変更しますので、センターに連絡してください。"
                ),
            )
            return redirect("account_email")
        if settings.KYODO_REQUIRE_MFA_FOR_STAFF and not request.path.startswith(self.ALLOWED_PREFIXES):
            if not mfa.user_has_totp(user):
                messages.warning(
                    request,
                    _("職員・市職員・審査委員・委員のアカウントは、二段階認証の設定が必要です。"),
                )
                return redirect("core:mfa_enrol")
        return self.get_response(request)


class HealthCheckMiddleware:
    """Answers /healthz before host validation and the HTTPS redirect.

    The load balancer and docker compose probe the container by its internal address over plain
    HTTP, which ALLOWED_HOSTS and SECURE_SSL_REDIRECT would otherwise refuse.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            from core.views import healthz

            return healthz(request)
        return self.get_response(request)


security_log = logging.getLogger("kyodo.security")


class RefusedAccessLogMiddleware:
    """Logs every refused (401/403) or rate-limited (429) access in one line: who, what, from where.

    allauth answers a rate-limited login form with 200 and an error on the form; such a page is
    turned into a 429 here so that clients and the logs see the refusal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, RATE_LIMITED_ATTR, False) and response.status_code == 200:
            response.status_code = 429
            response.reason_phrase = "Too Many Requests"
        if response.status_code in (401, 403, 429):
            user = getattr(request, "user", None)
            security_log.warning(
                "%s status=%s user_id=%s method=%s path=%s ip=%s",
                "rate_limited" if response.status_code == 429 else "access_refused",
                response.status_code,
                getattr(user, "pk", None),
                request.method,
                request.path,
                client_ip(request),
            )
        return response


# The largest id a database column holds (bigint); a longer number in a path or a query reached
# the database as an overflow (SQLite: OverflowError, PostgreSQL: DataError), a 500.
MAX_ID = 2**63 - 1
LONG_NUMBER_DIGITS = len(str(MAX_ID))
ADMIN_PREFIX = "/admin/"
ADMIN_SEARCH_MAX = 200


# What a NUL typed into a form becomes (U+FFFD REPLACEMENT CHARACTER): the form comes back with
# the text kept and the field's rule naming the character (core.validators).
NUL_IN_FORM_VALUE = "\ufffd"


class MalformedRequestMiddleware:
    """Answers 400 (in the site's layout) to input no page can use, before it reaches a view:
    a NUL in the address or a form field's name (PostgreSQL refuses it in any text; in a lookup or
    a ModelChoiceField it was a 500), and numbers too long for any column. A path id beyond a
    bigint is a 404. A NUL in a form's value is not a reason to lose what the person typed: it
    becomes U+FFFD, which no lookup chokes on and every text field refuses by name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._replace_nul_in_form_values(request)
        reason = self._problem(request)
        if reason:
            from django.shortcuts import render

            security_log.info(
                "malformed_request reason=%s method=%s path=%s ip=%s",
                reason,
                request.method,
                request.path.replace("\x00", "\\0"),
                client_ip(request),
            )
            context = {}
            if reason == "long_number" and request.method == "POST":
                context = {
                    "reason": _(
                        "%(digits)s桁以上の数字は受け付けられません。ブラウザの「戻る」で前の画面に戻り、"
                        "数字を直してから送ってください（入力した内容はブラウザに残っています）。"
                    )
                    % {"digits": LONG_NUMBER_DIGITS}
                }
            elif reason == "long_keyword":
                context = {
                    "reason": _(
                        "キーワードが長すぎます（%(max)s文字まで）。短くして、もう一度検索してください。"
                    )
                    % {"max": SEARCH_MAX_INPUT},
                    "back": request.path,
                }
            return render(request, "400.html", context, status=400)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.http import Http404

        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not 0 <= value <= MAX_ID:
                raise Http404
        return None

    @staticmethod
    def _replace_nul_in_form_values(request) -> None:
        if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
            return
        if not any("\x00" in value for _key, values in request.POST.lists() for value in values):
            return
        replaced = request.POST.copy()
        for key, values in request.POST.lists():
            replaced.setlist(key, [value.replace("\x00", NUL_IN_FORM_VALUE) for value in values])
        replaced._mutable = False
        request.POST = replaced

    @classmethod
    def _problem(cls, request) -> str:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return "nul"
        items = list(request.GET.lists())
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            items += list(request.POST.lists())
        if request.path.startswith(ADMIN_PREFIX):
            for key, values in request.GET.lists():
                # The admin lets a URL filter any field with any lookup; a regex is compiled by the
                # database (an invalid one was a 500) and a long search is LIKE over many columns.
                if key.endswith(("__regex", "__iregex")):
                    return "admin_regex"
                if key == "q" and any(len(value) > ADMIN_SEARCH_MAX for value in values):
                    return "long_search"
        else:
            for key in SEARCH_PARAMETERS:
                if any(len(value) > SEARCH_REFUSE_INPUT for value in request.GET.getlist(key)):
                    return "long_keyword"
        for key, values in items:
            for value in (key, *values):
                if "\x00" in value:
                    return "nul"
                digits = value.strip().lstrip("+-")
                if len(digits) >= LONG_NUMBER_DIGITS and digits.isdigit() and int(digits) > MAX_ID:
                    return "long_number"
        return ""


# Browser features no page of the portal uses: a script injected despite the CSP cannot use them.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), interest-cohort=()"
)


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every response, and who may keep a copy of an answer:

    - every answer to a signed-in person is `private, no-store`, whatever the view said (a page
      cache's max-age included): their pages carry their own CSRF token and menus, and their
      lists, rosters, consultation records and CSVs must not stay in a shared browser's or a
      proxy's cache (a forgotten staff page is covered by default);
    - pages with personal data that open without an account (the links mailed to one person,
      e.g. a survey or a newsletter confirmation) say `never_cache` in their view;
    - every other answer to an anonymous visitor (home, the directory, events, ...) gets no
      such header here, so browsers and the site's page cache may keep it.

    tests/trust/test_cache_control.py checks both sides per row of the access matrix."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            policy = response.get("Cache-Control", "")
            if "no-store" not in policy or "private" not in policy:
                patch_cache_control(response, no_store=True, private=True)
            if response.status_code == 200 and "attachment" in response.get("Content-Disposition", ""):
                # Exports (CSV of groups, consultations, rosters) and private files: who took what.
                security_log.info(
                    "download user_id=%s path=%s type=%s ip=%s",
                    user.pk,
                    request.path,
                    response.get("Content-Type", "").split(";", 1)[0],
                    client_ip(request),
                )
        return response
