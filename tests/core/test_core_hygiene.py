"""`domain.core` knows no storage driver, no UI, no web framework and no domain: importing it
(every module of it) in a fresh interpreter loads none of them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("sqlite3", "_sqlite3", "psycopg", "textual", "fastapi", "rich", "starlette")

PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    top = importlib.import_module(sys.argv[1])
    names = [sys.argv[1]]
    for info in pkgutil.walk_packages(top.__path__, sys.argv[1] + "."):
        importlib.import_module(info.name)
        names.append(info.name)
    print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
    """
)


def _probe(package: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, package],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _leaks(modules: list[str]) -> list[str]:
    drivers = [m for m in modules if m.split(".")[0] in FORBIDDEN]
    domains = [m for m in modules if m.startswith("domain.") and m.split(".")[1] == "ideas"]
    return drivers + domains


def test_domain_core_imports_no_driver_ui_web_framework_or_domain() -> None:
    result = _probe("domain.core")
    assert _leaks(result["modules"]) == []
    for module in ("domain.core.port", "domain.core.handler", "domain.core.loading"):
        assert module in result["imported"]


def test_the_probe_sees_a_leak() -> None:
    # The same probe over the ideas package finds it: a probe that saw nothing would prove
    # nothing.
    result = _probe("domain.ideas")
    assert "domain.ideas.handler" in _leaks(result["modules"])
