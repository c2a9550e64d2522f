"""Writes for accounts and reference data."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group as RoleGroup
from django.db import transaction

from core.models import Department, Person, User
from core.roles import Role
from core.text import person_name


def save_validated(instance, **many_to_many):
    """Validates and saves `instance`, then replaces each many-to-many set named (None leaves that
    set as it is, as an update that does not mention it should)."""
    instance.full_clean()
    instance.save()
    for name, values in many_to_many.items():
        if values is not None:
            getattr(instance, name).set(values)
    return instance


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None = None,
    full_name: str = "",
    full_name_kana: str = "",
    roles: tuple[str, ...] = (),
    is_staff: bool = False,
    is_superuser: bool = False,
    email_verified: bool = True,
) -> User:
    """An account with its e-mail address recorded for allauth (verified unless told otherwise)."""
    user = User(
        email=User.objects.normalize_email(email),
        full_name=full_name,
        full_name_kana=full_name_kana,
        is_staff=is_staff or Role.STAFF in roles,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    if roles:
        user.groups.set(RoleGroup.objects.filter(name__in=roles))
    return user


def guest_person_create(*, name: str, name_kana: str = "", phone: str = "", email: str = "") -> Person:
    """A person without an account (phoned in, walked in, asked for advice), recorded by staff. The
    name is stored as the profile stores one (core.text.person_name: 「山田　太郎」 → 「山田 太郎」), so
    a roster, a certificate and the duplicates to merge read the same for both."""
    person = Person(
        name=person_name(name), name_kana=name_kana.strip(), phone=phone.strip(), email=email.strip()
    )
    person.full_clean(exclude=["user", "merged_into"])
    person.save()
    return person


def official_assign(*, user: User, department: Department) -> None:
    """Makes the user a city official (市職員) of the department."""
    user.groups.add(RoleGroup.objects.get(name=Role.OFFICIAL))
    department.officials.add(user)


# The fields a person edits on their profile page (core.profile_forms.ProfileForm).
PROFILE_FIELDS = ("full_name", "full_name_kana", "phone", "notify_event_reminders", "notify_event_surveys")


@transaction.atomic
def user_profile_update(*, user: User, **fields) -> User:
    """Saves the person's own profile (any of PROFILE_FIELDS) and carries name, reading and
    phone over to their participant record (Person), so rosters, check-in lists, certificates
    and e-mails use the name they gave."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    person = Person.objects.filter(user=user).first()
    if person is not None:
        if user.full_name:
            person.name = user.full_name
        person.name_kana = user.full_name_kana
        if user.phone:
            person.phone = user.phone
        person.full_clean(exclude=["user", "merged_into"])
        person.save()
    return user
