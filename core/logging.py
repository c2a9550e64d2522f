"""Logging helpers."""

import logging


def client_ip(request) -> str:
    if request is None:
        return "-"
    # The proxy in front (docker compose, a load balancer) appends the client's address.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "-")


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
