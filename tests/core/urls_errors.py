from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.shortcuts import render
from django.urls import path

from config.urls import handler400, handler500  # noqa: F401  (looked up in ROOT_URLCONF)
from config.urls import urlpatterns as site_urlpatterns


def suspicious(request):
    raise SuspiciousOperation("test: a malformed request")


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("boom: /srv/kyodo/secret/path")


def limited(request):
    # What allauth's rate limit answers (allauth.core.ratelimit renders 429.html).
    return render(request, "429.html", status=429)


urlpatterns = [
    path("test-400/", suspicious),
    path("test-403/", forbidden),
    path("test-429/", limited),
    path("test-500/", broken),
    *site_urlpatterns,
]
