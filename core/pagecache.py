"""Whole-page cache of public pages for anonymous visitors (the home page, the group directory),
and `fragment`: the same for the part of a page that is the same for everyone (signed in too).

    from core.pagecache import cache_for_anonymous

    @cache_for_anonymous("groups", "events")
    def home(request): ...

A page is served from the cache only to a request that carries no session and no messages
cookie (so nobody signed in, and nobody with a message waiting), over GET or HEAD, not from
htmx. It is stored only when it answered 200 without setting a cookie and without a CSRF
token, so a cached page holds nothing that belongs to one person. A page with a form (its
view says `forms=True`) is stored with a placeholder where each CSRF token was, and every
visitor gets it with a token of their own. The key holds the path with its query string,
the language and a version per scope ("groups", "events"...); each app bumps its scopes
when a model the pages show is saved or deleted (`invalidate_on_change` in its
AppConfig.ready), and every entry expires after PUBLIC_PAGE_CACHE_SECONDS anyway (the home
page's "upcoming" moves with the clock). With Redis the cache and the versions are
shared by every worker; with the local-memory cache each process keeps its own, so a change
made in one process reaches the others within the expiry.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _does_token_match, get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

KEY_PREFIX = "pagecache"
# A longer query string is not worth a cache entry (and bounds the key space).
MAX_QUERY_LENGTH = 512


def _version_key(scope: str) -> str:
    return f"{KEY_PREFIX}:version:{scope}"


def bump(*scopes: str) -> None:
    """Every cached page that depends on one of these scopes is stale from now on."""
    cache.set_many({_version_key(scope): uuid.uuid4().hex for scope in scopes}, None)


def versions(scopes: tuple[str, ...]) -> str:
    keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        for key, value in missing.items():
            cache.add(key, value, None)
        found = cache.get_many(keys)
    return ".".join(str(found.get(key, "")) for key in keys)


def invalidate_on_change(scope: str, *models) -> None:
    """Bumps `scope` when a row of one of `models` (or of one of their many-to-many tables) is
    saved or deleted. Call it from an AppConfig.ready()."""

    def receiver(**_kwargs) -> None:
        bump(scope)

    # Kept alive by the module-level list: signals hold their receivers weakly by default.
    _receivers.append(receiver)
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                receiver, sender=model, dispatch_uid=f"pagecache-{scope}-{model._meta.label}-{id(signal)}"
            )
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                receiver,
                sender=field.remote_field.through,
                dispatch_uid=f"pagecache-{scope}-{field.remote_field.through._meta.label}",
            )


_receivers: list[Callable] = []


def _servable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
        and "HTTP_HX_REQUEST" not in request.META
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
        and not request.user.is_authenticated
    )


def _storable_response(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _uses_token(request: HttpRequest) -> bool:
    """The page holds a CSRF token (a form): it belongs to this visitor alone."""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"))


def _key(request: HttpRequest, scopes: tuple[str, ...]) -> str:
    page = (
        f"{versions(scopes)}|{get_language()}|{request.method}|{request.get_host()}{request.get_full_path()}"
    )
    # "page2": entries hold (status, content, headers, has_forms); a process still running the
    # code of the 3-tuple entries (a rolling deploy) must not read them, nor this code theirs.
    return f"{KEY_PREFIX}:page2:{hashlib.sha256(page.encode()).hexdigest()}"


def kept(name: str, scopes: tuple[str, ...], build: Callable[[], object]) -> object:
    """`build()`'s value (picklable, the same for everyone) kept under `name` until one of the
    scopes changes or PUBLIC_PAGE_CACHE_SECONDS pass: what pages for signed-in people can
    share (a group's projects on its page, a search's results), under the page cache's rules."""
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return build()
    key = f"{KEY_PREFIX}:kept:{hashlib.sha256(f'{versions(scopes)}|{name}'.encode()).hexdigest()}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, settings.PUBLIC_PAGE_CACHE_SECONDS)
    return found


def fragment(name: str, request: HttpRequest, scopes: tuple[str, ...], build: Callable[[], dict]) -> dict:
    """The part of a page that is the same for everyone who asks for this address, signed in or
    not (a public list's results and its search form: no token, no name, no per-person link),
    kept like `kept`; `build()` makes it (a dict of strings and numbers) when it is not kept.
    The page renders everything personal around it."""
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return build()
    return kept(f"{get_language()}|{name}|{request.get_host()}{request.get_full_path()}", scopes, build)


# A form's CSRF field as {% csrf_token %} writes it. Page content cannot forge it: a `"` from the
# data is escaped. A stored page holds TOKEN_FIELD with this placeholder instead of any token.
TOKEN_FIELD = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
TOKEN_PLACEHOLDER = "kyodo-pagecache-no-token"
_TOKEN_FIELD_RE = re.compile(re.escape(TOKEN_FIELD).replace(r"\{\}", f"[A-Za-z0-9]{{{CSRF_TOKEN_LENGTH}}}"))
_TOKEN_LIKE_RE = re.compile(f"(?<![A-Za-z0-9])[A-Za-z0-9]{{{CSRF_TOKEN_LENGTH}}}(?![A-Za-z0-9])")


def _without_tokens(request: HttpRequest, content: bytes) -> bytes | None:
    """The page with every CSRF field's token replaced by the placeholder; None when a token of
    this visitor is still in it anywhere else (then the page is not stored)."""
    text = _TOKEN_FIELD_RE.sub(TOKEN_FIELD.format(TOKEN_PLACEHOLDER), content.decode())
    secret = request.META.get("CSRF_COOKIE", "")
    if any(_does_token_match(token, secret) for token in _TOKEN_LIKE_RE.findall(text)):
        return None
    return text.encode()


def _with_token(request: HttpRequest, content: bytes) -> bytes:
    """A stored page with this visitor's own token in its forms (and their CSRF cookie set)."""
    field = TOKEN_FIELD.format(TOKEN_PLACEHOLDER).encode()
    return content.replace(field, TOKEN_FIELD.format(get_token(request)).encode())


def cache_for_anonymous(*scopes: str, forms: bool = False) -> Callable:
    """Serves the view's page from the cache to anonymous visitors (see the module's docstring).

    With `forms=True` a page with a form is stored too, without its CSRF token: each visitor
    who gets the stored page gets a token of their own in its forms."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _servable(request):
                response = view(request, *args, **kwargs)
                patch_vary_headers(response, ("Cookie",))
                return response
            key = _key(request, scopes)
            stored = cache.get(key)
            if stored is not None:
                status, content, headers, has_forms = stored
                if has_forms:
                    content = _with_token(request, content)
                response = HttpResponse(content, status=status, headers=headers)
            else:
                response = view(request, *args, **kwargs)
                content = response.content if _storable_response(response) else None
                has_forms = content is not None and _uses_token(request)
                if has_forms:
                    content = _without_tokens(request, content) if forms else None
                if content is not None:
                    cache.set(
                        key,
                        (response.status_code, content, dict(response.headers), has_forms),
                        settings.PUBLIC_PAGE_CACHE_SECONDS,
                    )
            patch_vary_headers(response, ("Cookie",))
            return response

        return wrapped

    return decorator
