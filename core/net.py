"""The client's address: the one function that rate limits, allauth and the logs all use.

X-Forwarded-For is written by whoever sends the request, so it is read only as far as the
deployment says proxies wrote it: with TRUSTED_PROXY_COUNT = n, the n-th entry from the right is
the address the outermost trusted proxy saw (each proxy appends the address it received the request
from). With TRUSTED_PROXY_NETWORKS set, the header is read only when the request itself came from
one of those networks. With no proxy configured, REMOTE_ADDR is the client.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 1.2.3.4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _from_trusted_proxy(remote: str | None) -> bool:
    spec = tuple(settings.TRUSTED_PROXY_NETWORKS)
    if not spec:
        return True
    if remote is None:
        return False
    address = ipaddress.ip_address(remote)
    return any(address in network for network in _networks(spec))


def client_ip(request) -> str:
    """The client's address as a normalised string, or "-" when there is none to trust."""
    if request is None:
        return "-"
    remote = _clean(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded and _from_trusted_proxy(remote):
        entries = forwarded.split(",")
        if len(entries) >= count:
            candidate = _clean(entries[-count])
            if candidate is not None:
                return candidate
    return remote or "-"
