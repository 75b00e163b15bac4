"""Who may talk to the playground's server: an ASGI middleware in front of the application.

A server on 127.0.0.1 is still reachable from any web page the person opens: the page's
scripts can send requests to it (a cross-site request), or load it under their own name after
pointing that name at 127.0.0.1 (DNS rebinding). So, as Jupyter does:

- the Host header must name this server (a loopback name or address, the `--host` given, or,
  bound to every interface, any IP address or the machine's name) with its port: a rebound
  name is refused;
- an Origin header, when the browser sends one, must be this server's own, and a request the
  browser marks `Sec-Fetch-Site: cross-site` is refused, but for opening the page itself (a
  link followed from another site: `Sec-Fetch-Mode: navigate` to a document outside /api/,
  which shows that site nothing and runs nothing the person did not open);
- every call of the API carries the random token the command printed (header `X-VTL-Token`),
  which no other page can know.
"""
from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                   Awaitable[None]]

TOKEN_HEADER = "x-vtl-token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Guard:
    """The checks; `port` is set once the server's socket is bound."""

    token: str
    bound_host: str = "127.0.0.1"
    port: int = 0
    names: frozenset[str] = field(default=frozenset())

    def __post_init__(self) -> None:
        names = set(LOOPBACK_NAMES) | {self.bound_host.lower().strip("[]")}
        if self.is_wildcard:
            names.add(socket.gethostname().lower())
        self.names = frozenset(names)

    @property
    def is_wildcard(self) -> bool:
        return self.bound_host.strip("[]") in _WILDCARDS

    def host_problem(self, host: str | None) -> str | None:
        """Why the Host header is refused, or None."""
        if not host:
            return "the request has no Host header"
        name, port = _split_host(host)
        if port != self.port:
            return f"Host {host!r} is not this server's port {self.port}"
        if name in self.names or (self.is_wildcard and _is_ip(name)):
            return None
        return f"Host {host!r} is not this server's address (a DNS rebinding attempt?)"

    def origin_problem(self, origin: str | None, fetch_site: str | None,
                       opens_page: bool = False) -> str | None:
        """Why the request's origin is refused, or None. `opens_page`: the request is a
        top-level navigation to a page (not to the API)."""
        if fetch_site == "cross-site" and not opens_page:
            return "a request from another site"
        if origin is None:
            return None
        parts = urlsplit(origin)
        if parts.scheme != "http" or not parts.hostname:
            return f"Origin {origin!r} is not this server"
        return self.host_problem(parts.netloc) and f"Origin {origin!r} is not this server"

    def token_problem(self, given: str | None) -> str | None:
        if not given:
            return ("the request has no token: open the URL `vtl playground` printed "
                    "(it ends with ?token=...)")
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return "the token is wrong: open the URL the running `vtl playground` printed"
        return None


class GuardMiddleware:
    """Refuses, with 403 and a one-line reason, what `Guard` refuses: every request is checked
    for Host and Origin, requests under /api/ for the token too."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        api = scope["path"].startswith("/api/")
        opens_page = (not api and scope["method"] == "GET"
                      and headers.get("sec-fetch-mode") == "navigate"
                      and headers.get("sec-fetch-dest", "document") == "document")
        problem = self.guard.host_problem(headers.get("host")) or self.guard.origin_problem(
            headers.get("origin"), headers.get("sec-fetch-site"), opens_page)
        if problem is None and api:
            problem = self.guard.token_problem(headers.get(TOKEN_HEADER))
        if problem is None:
            return await self.app(scope, receive, send)
        body = orjson.dumps({"refused": f"vtl playground refused this request: {problem}"})
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _split_host(host: str) -> tuple[str, int | None]:
    """A Host header's name (lower case, IPv6 without brackets) and port (80 if none)."""
    parts = urlsplit(f"//{host}")
    try:
        port = parts.port
    except ValueError:
        return host.lower(), None
    return (parts.hostname or "").lower(), 80 if port is None else port


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
