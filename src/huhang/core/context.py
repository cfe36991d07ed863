"""Who is acting and from where, for the audit trail, without threading `request` everywhere.

The middleware sets these for each request; the CLI and background tasks set them explicitly with
`acting_as`. Services still take the acting user as `by=`; the address is the only thing that
comes from here.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)
channel: contextvars.ContextVar[str] = contextvars.ContextVar("channel", default="cli")
# Whether the current request has written an audit event (core.middleware.AuditNetMiddleware).
audited: contextvars.ContextVar[bool] = contextvars.ContextVar("audited", default=False)


@contextmanager
def acting_from(ip: str | None, via: str) -> Iterator[None]:
    ip_token = client_ip.set(ip)
    via_token = channel.set(via)
    try:
        yield
    finally:
        client_ip.reset(ip_token)
        channel.reset(via_token)
