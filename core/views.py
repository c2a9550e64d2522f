import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from core import selectors
from core.app_hooks import collect

logger = logging.getLogger("kyodo")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", selectors.home_context())


@login_required
def mypage(request: HttpRequest) -> HttpResponse:
    panels = [panel for _app, hook in collect("mypage_panels") for panel in hook(request)]
    return render(request, "core/mypage.html", {"panels": panels})


@login_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.is_center_staff:
        raise PermissionDenied
    links = [link for _app, hook in collect("staff_links") for link in hook(request)]
    return render(request, "core/staff_dashboard.html", {"links": links})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", selectors.accessibility_report())


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database (and Redis, when configured) answer."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("healthz: database check failed")
        checks["database"] = "error"
        healthy = False
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception:
            logger.exception("healthz: redis check failed")
            checks["redis"] = "error"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
