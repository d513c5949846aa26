"""Running the API: headless (`es-tui serve`) or inside the explorer's event loop
(`es-tui --http PORT`).

The listening socket is bound before uvicorn starts, so a busy port or an unknown host is a
plain OSError the caller reports (uvicorn itself would exit the process), and port 0 picks
a free port that the caller can announce.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import signal
import socket
import sys
from collections.abc import Callable, Generator

import uvicorn

from domain.bootstrap import System
from domain.core.records import SnapshotPolicy
from es_tui.cli import EXIT_OK, EXIT_USAGE, open_failure, open_system, print_warnings
from es_tui.http.access import AccessLog, log_config
from es_tui.http.app import MAX_BODY, create_api
from es_tui.http.deps import CommandListener
from es_tui.http.guard import AllowedHosts

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3333


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port` (port 0: any free port); OSError if it can't."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)  # listen now: clients told the address may connect at once
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def bound_address(sock: socket.socket) -> tuple[str, int]:
    """The host and port a socket actually listens on."""
    host, port = sock.getsockname()[:2]
    return str(host), int(port)


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def url_of(host: str, port: int) -> str:
    """`http://host:port`, with brackets around an IPv6 address."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def exposure_warning(host: str, port: int) -> str | None:
    """A warning line when the API is reachable from other machines (it has no auth)."""
    if is_loopback(host):
        return None
    return (
        f"es-tui: warning: the API on {url_of(host, port)} is reachable from other machines "
        "and has no authentication; anyone who reaches it can publish, edit and forget ideas"
    )


class _HostedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host (the explorer)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _server(
    system: System,
    hosts: AllowedHosts,
    *,
    quiet: bool,
    on_command: CommandListener | None = None,
    max_body: int = MAX_BODY,
) -> _HostedServer:
    app = create_api(system, on_command=on_command, hosts=hosts, max_body=max_body)
    if quiet:  # inside the explorer: no logging set-up, nothing on the terminal
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off", log_level="error"
        )
    else:
        # uvicorn's access log would print query strings (titles, descriptions): ours
        # prints paths only.
        config = uvicorn.Config(
            AccessLog(app),
            log_config=log_config(),
            access_log=False,
            lifespan="off",
            log_level="info",
        )
    return _HostedServer(config)


async def _serve(server: _HostedServer, sock: socket.socket) -> None:
    try:
        await server.serve(sockets=[sock])
    except SystemExit as exc:  # uvicorn exits on a failed start-up; the host must live on
        raise RuntimeError(f"the HTTP API could not start (exit {exc.code})") from None
    finally:
        for listener in getattr(server, "servers", []):
            listener.close()
        sock.close()


async def serve_in_loop(
    system: System,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    ready: Callable[[str, int], None] | None = None,
    on_command: CommandListener | None = None,
) -> None:
    """Serve the API for `system` on the running event loop until cancelled.

    Installs no signal handlers and configures no logging, so it can run as a worker of a
    Textual app. Raises OSError if the address cannot be bound; `ready(host, port)` is
    called once the socket listens; `on_command` hears every command's outcome."""
    sock = bind(host, port)
    if ready is not None:
        ready(*bound_address(sock))
    hosts = AllowedHosts.for_bind(host)
    await _serve(_server(system, hosts, quiet=True, on_command=on_command), sock)


async def _serve_until_signalled(
    system: System, sock: socket.socket, hosts: AllowedHosts, max_body: int
) -> None:
    server = _server(system, hosts, quiet=False, max_body=max_body)
    loop = asyncio.get_running_loop()
    # First Ctrl+C (or SIGTERM): finish open requests and stop; a second one: stop now.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.handle_exit, sig, None)
    await _serve(server, sock)


def _bootstrap(args: argparse.Namespace, policy: SnapshotPolicy) -> System:
    system: System = open_system(args, policy, threaded=True, react=not args.no_react)
    return system


def run_serve(args: argparse.Namespace, policy: SnapshotPolicy) -> int:
    """`es-tui serve`: bind, wire the system, serve until Ctrl+C; returns the exit code."""
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"es-tui: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        system = _bootstrap(args, policy)
    except Exception as exc:  # the store or its keys cannot be opened for writing
        sock.close()
        code = open_failure(exc)
        if code is None:
            raise
        return code
    host, port = bound_address(sock)
    print_warnings(system.warnings)
    try:
        warning = exposure_warning(host, port)
        if warning:
            print(warning, file=sys.stderr)
        print(
            f"es-tui: serving the ideas API on {url_of(host, port)} (docs: /docs) "
            f"for store {system.backend.shown_url}; Ctrl+C stops",
            file=sys.stderr,
            flush=True,
        )
        hosts = AllowedHosts.for_bind(args.host, args.allow_host)
        asyncio.run(_serve_until_signalled(system, sock, hosts, args.max_body))
    finally:
        sock.close()
        system.close()
    return EXIT_OK
