"""`domain` stays free of the UI: importing it, or any module in it, loads no Textual or Rich.

Each check runs in a fresh interpreter, so modules imported by other tests cannot hide or fake
a leak.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    package, walk = sys.argv[1], sys.argv[2] == "walk"
    failed = {}
    imported = [package]
    top = importlib.import_module(package)
    if walk:
        def on_error(name):
            failed[name] = repr(sys.exc_info()[1])
        for info in pkgutil.walk_packages(top.__path__, package + ".", onerror=on_error):
            try:
                importlib.import_module(info.name)
                imported.append(info.name)
            except Exception as exc:
                failed[info.name] = repr(exc)
    ui = sorted(name for name in sys.modules if name.split(".")[0] in {"textual", "rich"})
    print(json.dumps({"imported": imported, "failed": failed, "ui": ui}))
    """
)


def _probe(package: str, mode: str, where: Path = ROOT) -> dict[str, Any]:
    """Import `package` (and with mode "walk", every module under it) in a new interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, package, mode],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_importing_domain_loads_no_ui_library() -> None:
    assert _probe("domain", "package")["ui"] == []


def test_every_domain_module_imports_without_loading_ui_libraries() -> None:
    result = _probe("domain", "walk")

    assert result["ui"] == [], "domain must not import textual or rich"
    assert result["failed"] == {}, "modules that do not import cannot be checked"
    # the walk really reached the modules (a broken walk would pass vacuously)
    for module in ("domain.backends", "domain.backends.memory.store", "domain.core.aggregate"):
        assert module in result["imported"]


def test_the_probe_catches_a_module_deep_in_a_package(tmp_path: Path) -> None:
    package = tmp_path / "leaky"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text("")
    (package / "inner" / "view.py").write_text("import rich.text\n")

    assert _probe("leaky", "package", tmp_path)["ui"] == []
    walked = _probe("leaky", "walk", tmp_path)
    assert "leaky.inner.view" in walked["imported"]
    assert "rich" in walked["ui"]
