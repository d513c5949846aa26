"""`es-tui serve` for real: a subprocess listening on a free port, driven over TCP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from es_tui.cli import build_parser
from es_tui.http.server import bind, bound_address, exposure_warning, is_loopback

SERVING = re.compile(r"serving the ideas API on (http://\S+) ")


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "es_tui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_url(process: subprocess.Popen[str], timeout: float = 20.0) -> tuple[str, str]:
    """Read stderr until the server says where it listens; returns (url, lines so far)."""
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen += line
        match = SERVING.search(line)
        if match:
            return match.group(1), seen
    process.kill()
    raise AssertionError(f"the server never said where it listens:\n{seen}")


@pytest.fixture
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`es-tui serve --port 0` (the memory store with its demo data); stopped afterwards."""
    process = _start("--pm-delay", "0", "serve", "--port", "0")
    try:
        url, _ = _wait_for_url(process)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


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
        process = _start("serve", "--port", str(port))
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
    process = _start("serve", "--host", "0.0.0.0", "--port", "0")
    try:
        url, printed = _wait_for_url(process)
    finally:
        process.kill()
        process.communicate(timeout=10)

    assert url.startswith("http://0.0.0.0:")
    warning = printed.splitlines()[0]
    assert warning.startswith("es-tui: warning:") and "reachable from other machines" in warning
