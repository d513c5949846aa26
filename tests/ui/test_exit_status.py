"""A crash of the explorer ends the real `es-tui` process with a non-zero status."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

RUN = """
import sys
from es_tui.__main__ import main
from es_tui.widgets.log_pane import LogPane

def broken(self):
    raise {error}

LogPane.{method} = broken
sys.exit(main(["--store", "memory:"]))
"""


def run_in_a_terminal(code: str, keys: bytes = b"") -> tuple[int, str]:
    """Run `python -c code` on a pseudo-terminal of 100×30; its status and output."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 60
    sent = False
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                output += os.read(leader, 65536)
            except OSError:
                break
        if keys and not sent and b"Streams" in output:
            os.write(leader, keys)
            sent = True
    try:
        status = process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    return status, output.decode(errors="replace")


@pytest.mark.parametrize(
    ("method", "error"),
    [("on_mount", "RuntimeError('broken on mount')"), ("follow", "KeyError('broken')")],
)
def test_a_crash_exits_non_zero(method: str, error: str) -> None:
    status, output = run_in_a_terminal(RUN.format(method=method, error=error))
    assert status != 0, output[-2000:]
    assert "broken" in output


def test_quitting_exits_zero() -> None:
    code = "import sys\nfrom es_tui.__main__ import main\nsys.exit(main(['--store', 'memory:']))"
    status, output = run_in_a_terminal(code, keys=b"q")
    assert status == 0, output[-2000:]
