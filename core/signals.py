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


# --- Security events: MFA, passwords, roles (lockouts and refusals: middleware) -------
from allauth.account.signals import password_changed, password_reset, password_set  # noqa: E402
from allauth.mfa.signals import (  # noqa: E402
    authentication_failed as mfa_authentication_failed,
)
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset  # noqa: E402
from django.db.models.signals import m2m_changed, pre_save  # noqa: E402


def _type(authenticator) -> str:
    return getattr(authenticator, "type", "-")


@receiver(mfa_authentication_failed)
def log_mfa_failed(sender, request, user, authenticator=None, **kwargs) -> None:
    security_log.warning(
        "mfa_failed user_id=%s type=%s ip=%s",
        getattr(user, "pk", None),
        _type(authenticator),
        client_ip(request),
    )


@receiver(authenticator_added)
def log_mfa_added(sender, request, user, authenticator, **kwargs) -> None:
    security_log.info(
        "mfa_enrolled user_id=%s type=%s ip=%s", user.pk, _type(authenticator), client_ip(request)
    )


@receiver(authenticator_removed)
def log_mfa_removed(sender, request, user, authenticator, **kwargs) -> None:
    security_log.warning(
        "mfa_removed user_id=%s type=%s ip=%s", user.pk, _type(authenticator), client_ip(request)
    )


@receiver(authenticator_reset)
def log_mfa_reset(sender, request, user, authenticator, **kwargs) -> None:
    security_log.info("mfa_reset user_id=%s type=%s ip=%s", user.pk, _type(authenticator), client_ip(request))


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def log_password_change(sender, request, user, **kwargs) -> None:
    security_log.info("password_changed user_id=%s ip=%s", user.pk, client_ip(request))


def log_role_change(sender, instance, action, pk_set, **kwargs) -> None:
    """Roles are Django groups: every change of a person's groups is logged (admin, services)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from django.contrib.auth.models import Group as RoleGroup

    if isinstance(instance, RoleGroup):  # changed from the role's side
        users, roles = sorted(pk_set or []), [instance.name]
    else:
        users = [instance.pk]
        roles = sorted(RoleGroup.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    security_log.warning("role_changed action=%s user_ids=%s roles=%s", action[5:], users, roles)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def log_staff_flag_change(sender, instance, update_fields=None, **kwargs) -> None:
    flags = {"is_staff", "is_superuser", "is_active"}
    # Saves that cannot touch the flags (last_login on every login) cost no query.
    if instance.pk is None or (update_fields is not None and not flags & set(update_fields)):
        return
    before = sender.objects.filter(pk=instance.pk).values("is_staff", "is_superuser", "is_active").first()
    if before is None:
        return
    changed = {
        key: getattr(instance, key) for key, value in before.items() if getattr(instance, key) != value
    }
    if changed:
        security_log.warning("account_flags_changed user_id=%s %s", instance.pk, changed)


def connect_role_change_log() -> None:
    from django.contrib.auth import get_user_model

    m2m_changed.connect(
        log_role_change, sender=get_user_model().groups.through, dispatch_uid="core.log_role_change"
    )


connect_role_change_log()
