"""Logging helpers."""

import logging

from core.net import client_ip  # noqa: F401  (kept for old imports)


class RequestContextFilter(logging.Filter):
    """Adds the path and user of the request to records that carry one (django.request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.path = request.path
            user = getattr(request, "user", None)
            record.user_id = getattr(user, "pk", None)
            # The request object itself cannot be serialised by the JSON formatter.
            record.request = f"{request.method} {request.path}"
        return True


class ExpectedRefusalFilter(logging.Filter):
    """django.request logs a refused request (PermissionDenied, Http404, a bad request) with the
    whole traceback. A refusal is expected: kyodo.security already logs 401/403/429 in one line
    (core.middleware.RefusedAccessLogMiddleware), so Django's record of those is dropped, and
    the others (400, 404, 405) keep one line without the traceback. 5xx keep everything."""

    SECURITY_LOGGED = {401, 403, 429}

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status >= 500:
            return True
        if status in self.SECURITY_LOGGED:
            return False
        record.exc_info = None
        record.exc_text = None
        return True
