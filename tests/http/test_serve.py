"""`es-tui serve` for real: a subprocess listening on a free port, driven over TCP."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from es_tui.cli import build_parser
from es_tui.http.server import bind, bound_address, exposure_warning, is_loopback
from tests.http.conftest import serving, start_serve, wait_for_url


@pytest.fixture
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`es-tui serve --port 0` (the memory store with its demo data, every new idea accepted,
    so a test can go on to edit the idea it publishes); stopped afterwards."""
    with serving("--accept-probability", "1") as (url, process):
        yield url, process


def _until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_origins_requests_work_over_tcp(served: tuple[str, subprocess.Popen[str]]) -> None:
    url, process = served
    assert url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=url, timeout=5) as http:
        published = http.get("/ideas/publish", params={"title": "Tea", "desc": "Green"})
        assert published.status_code == 202
        idea_id = published.json()["id"]

        # The read model and the process manager run on their own threads: wait for them.
        def accepted() -> bool:
            return http.get(f"/ideas/{idea_id}").json().get("found", {}).get("status") == (
                "accepted"
            )

        _until(accepted)
        assert http.get("/ideas/update/" + idea_id, params={"title": "Coffee"}).status_code == 202
        assert http.get(f"/aggregate/{idea_id}").json()["state"]["title"] == "Coffee"
        listed = http.get("/ideas").json()["found"]
        assert idea_id in {idea["idea_id"] for idea in listed}
        assert http.get(f"/ideas/delete/{idea_id}").status_code == 202
        assert http.get(f"/ideas/forget/{idea_id}").status_code == 202
        assert http.get(f"/ideas/forget/{idea_id}").status_code == 410
        events = http.get(f"/streams/idea-{idea_id}/events").json()["events"]
        assert [e["type"] for e in events] == ["IdeaForgotten"]
        assert http.get("/openapi.json").json()["info"]["title"] == "es-tui"

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0


def test_a_busy_port_is_a_clear_error() -> None:
    with bind("127.0.0.1", 0) as taken:
        port = bound_address(taken)[1]
        process = start_serve("serve", "--port", str(port))
        _, err = process.communicate(timeout=20)

    assert process.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err


def test_binds_to_loopback_unless_told_otherwise() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 3333)
    assert build_parser().parse_args(["serve", "--store", "memory:x"]).store == "memory:x"
    assert build_parser().parse_args(["--store", "memory:y", "serve"]).store == "memory:y"
    assert build_parser().parse_args([]).http is None
    assert build_parser().parse_args(["--http", "3333"]).http == ("127.0.0.1", 3333)
    assert build_parser().parse_args(["--http", "0.0.0.0:80"]).http == ("0.0.0.0", 80)
    assert build_parser().parse_args(["--http", "[::1]:80"]).http == ("::1", 80)


@pytest.mark.parametrize("bad", ["http", ":80", "70000", "1.2.3.4:-1"])
def test_a_bad_http_address_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["--http", bad])
    assert exited.value.code == 2
    assert "--http" in capsys.readouterr().err


def test_a_non_loopback_address_gets_a_warning() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert exposure_warning("127.0.0.1", 3333) is None
    process = start_serve("serve", "--host", "0.0.0.0", "--port", "0")
    try:
        url, printed = wait_for_url(process)
    finally:
        process.kill()
        process.communicate(timeout=10)

    assert url.startswith("http://0.0.0.0:")
    warning = printed.splitlines()[0]
    assert warning.startswith("es-tui: warning:") and "reachable from other machines" in warning


SECRETS = ("Zebra7Secret", "Okapi9Secret", "Quokka3Secret")


def test_the_access_log_never_holds_a_query_string() -> None:
    # Every idea accepted: an update of a rejected one would be refused (400) by the rules.
    process = start_serve("--accept-probability", "1", "--pm-delay", "0", "serve", "--port", "0")
    url, printed = wait_for_url(process)
    try:
        with httpx.Client(base_url=url, timeout=10) as http:
            title, desc, new_title = SECRETS
            published = http.get(f"/ideas/publish?title={title}&desc={desc}")
            assert published.status_code == 202
            idea_id = published.json()["id"]
            assert http.get(f"/ideas/update/{idea_id}?title={new_title}").status_code == 202
            assert http.get(f"/ideas/update/{idea_id}?title=%FF{title}").status_code == 400
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)

    logged = printed + out + err
    assert "/ideas/publish" in logged and f"/ideas/update/{idea_id}" in logged  # it logs
    for secret in SECRETS:
        assert secret not in logged


def _peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


HUGE = 100 * 1024 * 1024


def _post_huge(url: str, *, chunked: bool) -> str:
    """POST a 100 MB body over a raw socket, stop sending once the server answers; returns
    the status line."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}"
    head = (
        f"POST /ideas HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"{framing}\r\n\r\n"
    )
    block = b"x" * 65536
    piece = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode())
        sent = 0
        while sent < HUGE:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:  # the server answered: it reads no more
                break
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(block)
        answer = sock.recv(4096).decode("latin-1")
    assert sent < HUGE, "the whole body was sent before any answer"
    return answer.split("\r\n", 1)[0]


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc")
def test_a_100_mb_body_is_refused_without_being_read(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    url, process = served
    before = _peak_rss_kib(process.pid)

    assert " 413 " in _post_huge(url, chunked=False)
    assert " 413 " in _post_huge(url, chunked=True)

    grown_mib = (_peak_rss_kib(process.pid) - before) / 1024
    assert grown_mib < 32, f"peak memory grew by {grown_mib:.0f} MiB"
    with httpx.Client(base_url=url, timeout=10) as http:  # and it still serves
        assert http.post("/ideas", json={"title": "a", "description": "b"}).status_code == 202


def test_a_foreign_host_is_refused_over_tcp_unless_allowed() -> None:
    with serving() as (url, _), httpx.Client(base_url=url, timeout=10) as http:
        assert http.get("/ideas", headers={"Host": "evil.example"}).status_code == 421
        assert http.get("/ideas", headers={"Host": "localhost"}).status_code == 200
    process = start_serve("serve", "--port", "0", "--allow-host", "evil.example")
    try:
        url, _ = wait_for_url(process)
        with httpx.Client(base_url=url, timeout=10) as http:
            assert http.get("/ideas", headers={"Host": "evil.example:1"}).status_code == 200
            assert http.get("/ideas", headers={"Host": "other.example"}).status_code == 421
    finally:
        process.kill()
        process.communicate(timeout=10)
