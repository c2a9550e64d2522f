import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from core.net import client_ip

security_log = logging.getLogger("kyodo.security")

# Set on the request when allauth refused an attempt because of a rate limit; the
# RefusedAccessLogMiddleware answers such a page with 429 instead of 200.
RATE_LIMITED_ATTR = "kyodo_rate_limited"


class AccountAdapter(DefaultAccountAdapter):
    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL

    def get_client_ip(self, request) -> str:
        # allauth keys its per-client limits on this: the same address as our own limits and logs.
        return client_ip(request)

    def validation_error(self, code, *args):
        if code == "too_many_login_attempts":
            # Every form allauth refuses for a rate limit (login, reset, reauthentication) passes here.
            request = getattr(self, "request", None)
            if request is None:
                from allauth.core import context

                request = context.request
            if request is not None:
                setattr(request, RATE_LIMITED_ATTR, True)
        return super().validation_error(code, *args)
