"""Finding a Domain from a spec: `package.module`, `package.module:attribute`, or a file path
(`./bank.py`, `/abs/path/bank.py`, a module inside the user's own package).

es-tui's own top-level package is called `domain`, a name many projects give their own
package. A file path always works: the file (and the packages around it) load under unique
module names, so `from .models import Account` inside the user's `domain/` package resolves
to the user's files, never to es-tui's.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from domain.core.port import Domain

OWN_PACKAGE = Path(__file__).resolve().parents[1]
"""es-tui's `domain` package directory."""


class DomainLoadError(Exception):
    """A domain spec could not be loaded; `reason` says why, in plain words."""

    def __init__(self, spec: str, reason: str) -> None:
        self.spec = spec
        self.reason = reason
        super().__init__(f"cannot load domain {spec!r}: {reason}")


class DomainNotFoundError(DomainLoadError):
    """No module, file or attribute of that name."""


class NoDomainError(DomainLoadError):
    """The module holds no Domain object (or the named attribute is not one)."""


class SeveralDomainsError(DomainLoadError):
    """The module holds several Domain objects and the spec names none of them."""

    def __init__(self, spec: str, names: list[str]) -> None:
        self.names = names
        listed = ", ".join(names)
        super().__init__(spec, f"it holds several domains ({listed}); name one: {spec}:{names[0]}")


class DomainImportError(DomainLoadError):
    """Importing the module raised an exception (kept as `__cause__` and `error`)."""

    def __init__(self, spec: str, error: BaseException) -> None:
        self.error = error
        super().__init__(spec, f"importing it raised {type(error).__name__}: {error}")


class DomainShadowedError(DomainNotFoundError):
    """`domain.x` named es-tui's own `domain` package, which has no such domain."""


def is_path(spec: str) -> bool:
    """Whether a spec names a file rather than a module."""
    return spec.endswith(".py") or "/" in spec or "\\" in spec or spec.startswith(".")


def load_domain_spec(spec: str) -> Domain[Any]:
    """The Domain a spec names (see the module docstring); DomainLoadError if none."""
    head, sep, tail = spec.rpartition(":")
    # `module:attribute`; a colon elsewhere (a Windows drive, C:\\...) is part of a path.
    target, attribute = (head, tail) if sep and head and tail.isidentifier() else (spec, "")
    module = _load_file(spec, Path(target)) if is_path(target) else _import(spec, target)
    return _find(spec, module, attribute or None)


def _import(spec: str, name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if _own(name):
            raise _shadowed(spec, name) from exc
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise DomainNotFoundError(spec, f"no module named {exc.name!r}") from exc
        raise DomainImportError(spec, exc) from exc
    except Exception as exc:
        raise DomainImportError(spec, exc) from exc


def _own(name: str) -> bool:
    return name.split(".")[0] == "domain"


def _shadowed(spec: str, name: str) -> DomainShadowedError:
    return DomainShadowedError(
        spec,
        f"{name!r} resolves to es-tui's own package 'domain' ({OWN_PACKAGE}), not to a "
        "package of yours with the same name; name your module by its file path instead, "
        f"e.g. --domain ./{name.replace('.', '/')}.py",
    )


def _load_file(spec: str, path: Path) -> ModuleType:
    path = path.expanduser().resolve()
    if path.is_dir():
        path = path / "__init__.py"
    if not path.is_file():
        raise DomainNotFoundError(spec, f"no file {path}")
    # The packages around the file (directories with __init__.py) load too, under a unique
    # prefix, so the file's relative imports find its siblings.
    packages: list[Path] = []
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        packages.insert(0, folder)
        folder = folder.parent
    # One prefix per outermost package (or lone file): two files of one package share it.
    root = packages[0] if packages else path
    prefix = "es_tui_user_" + hashlib.sha256(str(root).encode()).hexdigest()[:12]
    name = prefix
    try:
        for package in packages:
            name = f"{name}.{package.name}" if name != prefix else f"{prefix}_{package.name}"
            if name not in sys.modules:
                _exec(name, package / "__init__.py", package)
        if path.name == "__init__.py" and packages:
            return sys.modules[name]
        if not packages:
            # A lone file: its sibling modules import as top-level modules, as for a script.
            if str(path.parent) not in sys.path:
                sys.path.insert(0, str(path.parent))
            return _exec(f"{prefix}_{path.stem}", path, None)
        loaded = sys.modules.get(f"{name}.{path.stem}")  # imported by its package already
        return loaded if loaded is not None else _exec(f"{name}.{path.stem}", path, None)
    except DomainLoadError:
        raise
    except Exception as exc:
        raise DomainImportError(spec, exc) from exc


def _exec(name: str, path: Path, package: Path | None) -> ModuleType:
    locations = [str(package)] if package is not None else None
    found = importlib.util.spec_from_file_location(name, path, submodule_search_locations=locations)
    if found is None or found.loader is None:
        raise ImportError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module
    try:
        found.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _find(spec: str, module: ModuleType, attribute: str | None) -> Domain[Any]:
    own = Path(getattr(module, "__file__", "") or "").resolve().is_relative_to(OWN_PACKAGE)
    if attribute is not None:
        if not hasattr(module, attribute):
            raise DomainNotFoundError(spec, f"{module.__name__} has no attribute {attribute!r}")
        value = getattr(module, attribute)
        if not isinstance(value, Domain):
            kind = type(value).__name__
            raise NoDomainError(spec, f"{attribute} is a {kind}, not a domain.core.Domain")
        return value
    named = getattr(module, "DOMAIN", None)
    if isinstance(named, Domain):
        return named
    found: dict[int, tuple[str, Domain[Any]]] = {}
    for key, value in vars(module).items():
        if isinstance(value, Domain) and id(value) not in found:
            found[id(value)] = (key, value)
    if len(found) == 1:
        return next(iter(found.values()))[1]
    if found:
        raise SeveralDomainsError(spec, sorted(key for key, _ in found.values()))
    if own:
        raise _shadowed(spec, module.__name__)
    raise NoDomainError(spec, f"{module.__name__} holds no domain.core.Domain object")
