"""Error pages in Japanese and in the site's layout (settings: handler400/500 in config.urls,
CSRF_FAILURE_VIEW).

Django's own bad_request and server_error render their template without the request, so the
layout would lose the center's name, the navigation and the signed-in user; its CSRF page is
English. These views render with the request. A page that cannot be drawn in the layout (the
database is down, the Host header is refused) falls back to a plain page that needs nothing.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("kyodo")


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        return render(request, template, status=status)
    except Exception:
        logger.exception("error page %s could not be drawn in the layout", template)
        return HttpResponse(loader.get_template("500_plain.html").render(), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "400.html", 400)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, "500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason (e.g. "CSRF cookie not set.") is for the log, not the reader.
    logger.warning("csrf failure: %s method=%s path=%s", reason, request.method, request.path)
    return _render(request, "403_csrf.html", 403)
