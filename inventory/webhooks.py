"""Webhook addresses: http(s) to public addresses only. An admin of one hub must not make
the worker call the network's own services (Redis, the database, a cloud metadata address)
by naming them as a chat tool.

Checked twice: when the address is saved (a clear message for the admin), and at every send
on the address the connection really reached, since a name can resolve elsewhere by then
(and a redirect can point elsewhere). WEBHOOKS_ALLOW_PRIVATE_NETWORKS lets a deployment
whose chat tool lives on its own network reach it on purpose."""

import ipaddress
import socket
import urllib.request
from http.client import HTTPConnection, HTTPSConnection
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SCHEMES = ("http", "https")


class WebhookAddressRefused(ValidationError):
    """A webhook address that is not http(s) to a public address."""


def address_allowed(address: str) -> bool:
    """Whether the worker may connect to this IP address."""
    if settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone index is not part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def webhook_url_check(url: str) -> None:
    """Raise WebhookAddressRefused unless `url` is http(s) to a host that resolves to
    public addresses only."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise WebhookAddressRefused(
            _("Enter an http:// or https:// address."), code="webhook_scheme"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise WebhookAddressRefused(
            _("%(host)s cannot be found: check the address.") % {"host": parts.hostname},
            code="webhook_unknown_host",
        ) from None
    # A TCP lookup gives IPv4 and IPv6 addresses, whose first item is the address string.
    if not all(address_allowed(cast(str, info[4][0])) for info in found):
        raise WebhookAddressRefused(
            _(
                "%(host)s is a private, local or reserved address: a webhook must be a "
                "public service."
            )
            % {"host": parts.hostname},
            code="webhook_private_address",
        )


def _checked_connection(address, *args, **kwargs) -> socket.socket:
    sock = socket.create_connection(address, *args, **kwargs)
    peer = sock.getpeername()[0]
    if not address_allowed(peer):
        sock.close()
        raise WebhookAddressRefused(f"{address[0]} resolved to {peer}, which is not public")
    return sock


class _PublicHTTPConnection(HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _PublicHTTPSConnection(HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        # typeshed leaves out the context that HTTPSHandler.__init__ keeps.
        context = self._context  # type: ignore[attr-defined]
        return self.do_open(_PublicHTTPSConnection, req, context=context)


def webhook_opener() -> urllib.request.OpenerDirector:
    """An opener that connects to allowed addresses only, whatever a name resolves to now
    or a redirect points at, and no other scheme (no proxy from the environment either:
    the address checked must be the one connected to)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        _PublicHTTPHandler(),
        _PublicHTTPSHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPDefaultErrorHandler(),
    ):
        opener.add_handler(handler)
    return opener
