from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("boom: the traceback must reach the log")


urlpatterns = [path("broken/", broken), *site_urlpatterns]
