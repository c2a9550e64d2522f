import logging
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.net import client_ip

security_log = logging.getLogger("kyodo.security")

# Set on the request when allauth refused an attempt because of a rate limit; the
# RefusedAccessLogMiddleware answers such a page with 429 instead of 200.
RATE_LIMITED_ATTR = "kyodo_rate_limited"


class AccountAdapter(DefaultAccountAdapter):
    # allauth's Japanese for a wrong current password reads 「現在のパスワードを入力してください」,
    # which tells someone who did type it nothing.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "enter_current_password": _("現在のパスワードが正しくありません。もう一度入力してください。"),
    }

    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL

    def get_login_redirect_url(self, request) -> str:
        """Each role starts where its work is (core.workspace); a `next` address still wins."""
        from core.workspace import home_url

        return home_url(request.user)

    # --- E-mail: links from SITE_URL only, greeting with the center's name, sent by the outbox ------

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (verification, reset, notifications of password and MFA changes) go
        through the one outbox. The request's Host never reaches a mail: allauth greets with
        `current_site.name` (the host when django.contrib.sites is not installed) and builds some
        links with request.build_absolute_uri; both are replaced by the center and SITE_URL."""
        from core.outbox import outbox_enqueue

        request = getattr(self, "request", None)
        ctx = {"email": email, **context, "current_site": center_site(), **mail_signature()}
        ctx["greeting_name"] = greeting_name(ctx.get("user"), email)
        if request is not None:
            ctx["request"] = request
            forged_base = request.build_absolute_uri("/").rstrip("/")
            for key, value in list(ctx.items()):
                if isinstance(value, str) and value.startswith(forged_base + "/"):
                    ctx[key] = settings.SITE_URL + value[len(forged_base) :]
        message = self.render_mail(template_prefix, email, ctx)
        outbox_enqueue(
            to=message.to,
            subject=message.subject,
            body=message.body,
            kind=f"account.{template_prefix.rsplit('/', 1)[-1]}",
        )

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


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def center_site() -> SimpleNamespace:
    """What allauth's mail templates call the site: the center's name and SITE_URL's host."""
    return SimpleNamespace(name=settings.CENTER_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def mail_signature() -> dict[str, str]:
    """What allauth's mail templates (templates/account/email/) sign with: the center, not a host."""
    return {
        "center_name": settings.CENTER_NAME,
        "center_phone": settings.CENTER_PHONE,
        "center_email": settings.CENTER_EMAIL,
        "site_url": settings.SITE_URL,
    }


def greeting_name(user, email: str) -> str:
    """The name an account mail greets with (「山田 花子 様」): the account's 氏名, found by the
    address when allauth gives no user; 「ご利用者」 when there is none (an unknown address)."""
    from core.models import UNNAMED_IN_GREETINGS, User

    if user is None or not getattr(user, "pk", None):
        user = User.objects.filter(email__iexact=email).only("full_name").first()
    return user.get_full_name() if user is not None else str(UNNAMED_IN_GREETINGS)
