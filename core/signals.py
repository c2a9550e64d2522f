"""Security events go to the log with who, when and where (never a password)."""

import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.net import client_ip

security_log = logging.getLogger("kyodo.security")


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs) -> None:
    security_log.info("login user_id=%s ip=%s", user.pk, client_ip(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs) -> None:
    security_log.info("logout user_id=%s ip=%s", getattr(user, "pk", None), client_ip(request))
    if user is not None:
        # Logging out on one device logs the person out everywhere (a shared PC at the center).
        end_all_sessions(user)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def end_sessions_of_deactivated_accounts(sender, instance, created, **kwargs) -> None:
    if not created and not instance.is_active:
        ended = end_all_sessions(instance)
        if ended:
            security_log.info("sessions_ended user_id=%s reason=deactivated count=%s", instance.pk, ended)


def end_all_sessions(user) -> int:
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    return len(sessions)


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the address tried, never the password.
    tried = credentials.get("email") or credentials.get("username") or ""
    security_log.warning("login_failed email=%s ip=%s", tried, client_ip(request))
