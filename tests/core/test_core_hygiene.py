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


DOMAIN_PACKAGES = ("domain.ideas", "domain.accounts")

MODULES_PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    names = []
    for package in sys.argv[1:]:
        top = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(top.__path__, package + "."):
            importlib.import_module(info.name)
            names.append(info.name)
    print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
    """
)


def _walk(*packages: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", MODULES_PROBE, *packages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _domain_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if m.startswith(DOMAIN_PACKAGES)]


def test_shredding_store_core_and_backends_import_no_domain_package() -> None:
    result = _walk("domain.core", "domain.backends")
    assert _domain_modules(result["modules"]) == []
    for module in (
        "domain.core.shredding.service",
        "domain.backends.sqlite.store",
        "domain.backends.sqlite",
    ):
        assert module in result["imported"]


def test_the_module_probe_sees_a_domain_package() -> None:
    # The same walk over a domain package finds it: a walk that saw nothing proves nothing.
    assert "domain.ideas.handler" in _domain_modules(_walk("domain.ideas")["modules"])


def _imports_a_domain_package(path: Path) -> bool:
    names = _imported_modules(path)
    return any(n == p or n.startswith(p + ".") for n in names for p in DOMAIN_PACKAGES)


FRONT_PACKAGES = ("es_tui.ideas", "es_tui.accounts")
"""The built-in domains' own front-end parts (reached through `es_tui.fronts` only)."""
FRONT_PARTS = ROOT / "es_tui" / "ideas"
FRONT_DIRS = tuple(ROOT.joinpath(*name.split(".")) for name in FRONT_PACKAGES)


def _imported_modules(path: Path) -> list[str]:
    import ast

    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def _generic_front_modules() -> list[Path]:
    return [
        path
        for path in sorted((ROOT / "es_tui").rglob("*.py"))
        if not any(path.is_relative_to(folder) for folder in FRONT_DIRS)
    ]


def test_front_ends_reach_a_domain_package_only_through_the_registry() -> None:
    # Outside the built-in domains' own parts (es_tui/ideas/, es_tui/accounts/, found by
    # es_tui.fronts by name), the explorer, the CLI and the HTTP API know domains only
    # through the Domain port.
    found = [
        str(path.relative_to(ROOT))
        for path in _generic_front_modules()
        if _imports_a_domain_package(path)
    ]
    assert found == []


def test_the_import_reader_sees_a_domain_package() -> None:
    # The same reading over the ideas parts finds their imports: a reader that saw nothing
    # would prove nothing.
    assert _imports_a_domain_package(FRONT_PARTS / "cli.py")


def test_a_domains_own_front_end_parts_are_imported_only_by_the_registry() -> None:
    # es_tui.fronts names them by string and imports them when asked; nothing else may.
    importers = [
        str(path.relative_to(ROOT))
        for path in _generic_front_modules()
        if any(
            n == p or n.startswith(p + ".") for n in _imported_modules(path) for p in FRONT_PACKAGES
        )
    ]
    assert importers == []


def test_the_core_and_the_backends_name_no_domain_package_even_when_asked() -> None:
    # An import inside a function escapes the walk above: read every module's imports. A
    # domain keeps its own storages and picks them by the backend's scheme.
    found = [
        str(path.relative_to(ROOT))
        for folder in ("core", "backends")
        for path in sorted((ROOT / "domain" / folder).rglob("*.py"))
        if _imports_a_domain_package(path)
    ]
    assert found == []


def test_the_listed_front_part_packages_are_the_registrys() -> None:
    from es_tui.fronts import BUILT_IN_FRONTS

    assert sorted(BUILT_IN_FRONTS.values()) == sorted(FRONT_PACKAGES)
