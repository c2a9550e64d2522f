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
