"""What the apps' views do again and again, in one place: a page of a list, a list page behind a
filter form, a service's refusal (a ValidationError) shown to the person who asked, and the page
to go back to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET


def paginate(
    request: HttpRequest,
    object_list,
    per_page: int | None = None,
    *,
    count: Callable[[], int] | None = None,
    param: str = "page",
) -> Page:
    """The page of `object_list` that ?page= asks for (the last one when it is past the end).

    count: how many rows there are, when the caller knows a cheaper way than COUNT(*) over the
    filtered rows (a count kept in the cache: it grows with the table, the page's rows do not).
    param: the query parameter of the page number, for a page with two lists paged apart."""
    paginator = Paginator(object_list, per_page or settings.PAGINATE_BY)
    if count is not None:
        paginator.count = count()  # Paginator.count is a cached property: this is its value
    return paginator.get_page(request.GET.get(param))


T = TypeVar("T")


def safe_next(request: HttpRequest, fallback: str = "") -> str:
    """The page to go back to that the request names (posted or ?next=), when it is a path of this
    site; otherwise `fallback`. Never another site's address: an open redirect would lend the
    portal's name to a phishing page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def selected_or_404(selector: Callable[..., T], *args, **kwargs) -> T:
    """What `selector(*args, **kwargs)` reads, or 404 when its object does not exist
    (get_object_or_404 for the selectors that read a page's object with what it shows)."""
    try:
        return selector(*args, **kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def render_filtered(
    request: HttpRequest, template: str, filterset, object_list, context: dict | None = None
) -> HttpResponse:
    """A list page behind a filter form: `filter` and a page of `object_list` (`page_obj`).
    Invalid conditions answer 400 with the errors next to the fields, never every row."""
    context = {"filter": filterset, "page_obj": paginate(request, object_list), **(context or {})}
    return render(request, template, context, status=400 if filterset.errors else 200)


def filtered_list_view(selector: Callable, template: str) -> Callable[[HttpRequest], HttpResponse]:
    """The view of a list page that is its filter form and rows only: `selector(data=request.GET)`
    answers the filterset and the rows, shown by render_filtered. Wrap it in the page's access check.
    """

    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        filterset, rows = selector(data=request.GET)
        return render_filtered(request, template, filterset, rows)

    return view


def add_validation_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: under the field it names when the form has that field,
    otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@contextmanager
def refusals_on_form(form) -> Iterator[None]:
    """Wraps a service call, its success message and redirect: a ValidationError the service
    raises is shown on the form instead, and the view goes on to render the form again."""
    try:
        yield
    except ValidationError as error:
        add_validation_errors(form, error)


def flash_refusal(request: HttpRequest, error: ValidationError) -> None:
    """A refusal where there is no form to show it on: each message as an error message."""
    for message in error.messages:
        messages.error(request, str(message))


@contextmanager
def refusal_as_message(request: HttpRequest) -> Iterator[None]:
    """refusals_on_form for a page with no form to show the refusal on: its messages become one
    error message, and the view goes on as it would after a failure."""
    try:
        yield
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
