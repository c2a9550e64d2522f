from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    """The baseline of `make bench`: a small template, no database."""
    return render(request, "ops/bench_bare.html", {"items": range(10)})


urlpatterns = [path("_bench/bare", bare), *site_urlpatterns]
