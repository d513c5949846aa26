"""What every request passes before it reaches a route: a Host this server answers to,
query strings and paths that are UTF-8, and HEAD served as GET without a body.

The API has no authentication and listens on loopback: the Host check is what keeps a web
page the user visits from reading it through DNS rebinding (its Host is then the page's own
name). Cross-site commands (CSRF) are refused by `refuse_foreign_origin`, a dependency of
every command route.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from es_tui.http.errors import error_body

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
"""The names a loopback server always answers to."""

WILDCARDS = ("0.0.0.0", "::", "")


_AUTHORITY = re.compile(r"(?:\[(?P<bracketed>[^\]]*)\]|(?P<name>[^:\[\]]*))(?::\d*)?")
"""A host (an IPv6 literal in brackets) and an optional numeric port: what a browser sends."""


def host_name(authority: str) -> str:
    """The host of a `Host` header or URL authority, lower case, without port or brackets.
    Anything else (`a:b@c`, `[::1]x`, a bare IPv6 address) is returned whole, so it matches
    only a name given exactly so."""
    authority = authority.strip().lower()
    found = _AUTHORITY.fullmatch(authority)
    if found is None:
        return authority
    return (found["bracketed"] or found["name"] or "").rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class AllowedHosts:
    """The host names requests may be addressed to (their `Host` header)."""

    names: frozenset[str]
    any_ip: bool = False
    """Also any IP address literal (a wildcard bind: every address of this machine)."""
    anything: bool = False
    """No check at all (`--allow-host '*'`)."""

    def allows(self, authority: str) -> bool:
        """True if a request with this `Host` header is meant for this server."""
        if self.anything:
            return True
        name = host_name(authority)
        return name in self.names or (self.any_ip and _is_ip(name))

    @classmethod
    def for_bind(cls, host: str, extra: Iterable[str] = ()) -> AllowedHosts:
        """The bound address and the loopback names, plus `extra` (`*`: any host). A
        wildcard bind also answers to any IP address and to this machine's name; other
        names clients use must be given in `extra`."""
        extra = [e.strip() for e in extra if e.strip()]
        names = {*LOOPBACK_NAMES, host_name(host), *(host_name(e) for e in extra)}
        wildcard = host in WILDCARDS
        if wildcard:
            names.add(socket.gethostname().lower())
        return cls(frozenset(names - {""}), any_ip=wildcard, anything="*" in extra)


DEFAULT_HOSTS = AllowedHosts.for_bind("127.0.0.1")


def _utf8(raw: bytes, *, plus_is_space: bool) -> bool:
    if plus_is_space:
        raw = raw.replace(b"+", b" ")
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _refusal(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(kind, message), status_code=status)


HEAD_AS_GET = "es_tui.head"
"""Set in the scope of a HEAD request served as GET: a command route refuses it."""


class RequestGuard:
    """ASGI middleware: refuses a foreign `Host` (421), a query string or path that is not
    UTF-8 once percent-decoded (400), a `Content-Length` over `max_body` (413, nothing read;
    a body without one is cut off at the cap by the app's own limit), and answers HEAD as
    GET without the body."""

    def __init__(self, app: ASGIApp, hosts: AllowedHosts, max_body: int) -> None:
        self.app = app
        self.hosts = hosts
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            scope = {**scope, "method": "GET", HEAD_AS_GET: True}
            send = _without_body(send)
        capped = _CappedBody(receive, send, self.max_body)
        try:
            await self.app(scope, capped.receive, capped.send)
        except BodyTooLargeError as exc:
            if capped.started:
                raise
            await _refusal(413, "too_large", str(exc.detail))(scope, receive, send)

    def _refusal(self, scope: Scope) -> JSONResponse | None:
        headers = Headers(scope=scope)
        host = headers.get("host")
        if host is not None and not self.hosts.allows(host):
            message = (
                f"this server does not answer to host {host_name(host)!r} "
                "(serve with --allow-host NAME to add a name)"
            )
            return _refusal(421, "host_not_allowed", message)
        query: bytes = scope.get("query_string", b"")
        if not all(_utf8(part, plus_is_space=True) for part in query.split(b"&")):
            return _refusal(400, "bad_request", "the query string is not valid UTF-8")
        raw_path = scope.get("raw_path")
        if isinstance(raw_path, bytes) and not _utf8(raw_path, plus_is_space=False):
            return _refusal(400, "bad_request", "the path is not valid UTF-8")
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            message = f"the body is {length} bytes; at most {self.max_body} are accepted"
            return _refusal(413, "too_large", message)
        return None


class BodyTooLargeError(HTTPException):
    """The request body grew past the cap while it was read (413)."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, f"the body is over {cap} bytes, the most accepted")


class _CappedBody:
    # Counts the body as the app reads it and stops at the cap: the rest is never read (the
    # server holds back what the client sends meanwhile).
    def __init__(self, receive: Receive, send: Send, cap: int) -> None:
        self._receive = receive
        self._send = send
        self.cap = cap
        self.read = 0
        self.started = False

    async def receive(self) -> Message:
        if self.read > self.cap:
            raise BodyTooLargeError(self.cap)
        message = await self._receive()
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            if self.read > self.cap:
                raise BodyTooLargeError(self.cap)
        return message

    async def send(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_headers_only


FETCH_SITES_REFUSED = ("cross-site", "same-site")
"""`Sec-Fetch-Site` values of a page of another origin: `same-site` is a page on another port
of this host (or another subdomain), which is another origin as its `Origin` would be."""


def _origin_of(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return (parts.hostname or "", port)


def _same_origin(url: str, host: str, scheme: str) -> bool:
    if url == "null":  # a sandboxed frame, a file:// page, a redirect across sites
        return False
    return _origin_of(url) == _origin_of(f"{scheme}://{host}")


def refuse_foreign_origin(request: Request) -> None:
    """A dependency of every command route: a browser request sent by a page of another
    origin (its `Origin` or `Referer` names another origin, or `Sec-Fetch-Site` says
    `cross-site` or `same-site`) is refused with 403 before anything is read or written.
    Requests from scripts and `curl` carry none of these headers and pass. HEAD is refused
    with 405: only GET runs a command."""
    if request.scope.get(HEAD_AS_GET):
        # HEAD is safe: it never runs a command, even on the origin's GET command routes
        raise HTTPException(
            405, "HEAD does not run a command: send GET to run it", headers={"Allow": "GET"}
        )
    headers = request.headers
    host = headers.get("host", "")
    scheme = request.url.scheme
    origin = headers.get("origin")
    referer = headers.get("referer")
    fetch_site = headers.get("sec-fetch-site", "").lower()
    if fetch_site in FETCH_SITES_REFUSED:
        reason = f"Sec-Fetch-Site: {fetch_site}"
    elif origin is not None and not _same_origin(origin, host, scheme):
        reason = f"Origin {origin}"
    elif origin is None and referer and not _same_origin(referer, host, scheme):
        reason = f"Referer {urlsplit(referer).netloc or referer}"
    else:
        return
    raise HTTPException(
        403, f"a command sent by a page of another site is refused ({reason[:200]})"
    )
