"""How a view asks the rules: `@permission_required("app.verb_model", fn=...)` or `permitted(...)`.

rules' own decorator sends a signed-in person without the permission back to the login page;
here an anonymous visitor goes to the login page and a signed-in one gets 403, as Django's
PermissionRequiredMixin does. `fn(request, *args, **kwargs)` returns the object the rule is
asked about (rules.contrib.views.objectgetter builds one from a model and a URL argument).

A view that needs the object itself fetches it and hands it to `permitted(user, perm, obj)`,
which returns it or refuses: 403, or 404 when the person may not even learn that it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

T = TypeVar("T")


def permission_required(perm: str | tuple[str, ...], fn: Callable | None = None):
    perms = (perm,) if isinstance(perm, str) else tuple(perm)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = fn(request, *args, **kwargs) if fn is not None else None
            if not all(may(request.user, perm, obj) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def permitted(user, perm: str, obj: T, *, hidden_unless: str | bool = False) -> T:
    """`obj` when the rules give `user` the permission `perm` on it; otherwise a refusal.

    The refusal is 403, or 404 when the object is hidden from the person: `hidden_unless=True`
    hides it from everyone refused, `hidden_unless="app.view_model"` from those who may not see
    it either (someone who may see a group but not edit it gets 403 on its edit page, everyone
    else 404, as if there were no such group)."""
    if may(user, perm, obj):
        return obj
    if hidden_unless is True or (hidden_unless and not may(user, hidden_unless, obj)):
        raise Http404
    raise PermissionDenied


def may(user, perm: str, obj=None) -> bool:
    """Asks the rules only (every permission of the portal is declared in an app's rules.py).

    Not user.has_perm(), which says yes to a superuser for anything (a button to cancel what is
    already cancelled) and yes to anyone given the Django model permission of the same name in
    the admin (projects.change_proposal on every proposal, whatever its state); on a refusal it
    also goes on to those model permissions, two queries per request. The rules already count a
    superuser as centre staff (core.predicates)."""
    import rules

    return rules.has_perm(perm, user, obj)


def profile_required(view):
    """For the pages where a person puts their name to something (registering for an event,
    applying for a group, proposing a project): without 氏名 and ふりがな on their profile, they
    are sent to the profile page with a message, and come back here (`next`) once it is saved.
    Put it under login_required."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.has_complete_profile:
            messages.info(
                request,
                _("この手続きには、氏名とふりがなの登録が必要です。登録すると、元のページに戻ります。"),
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('core:profile')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped
