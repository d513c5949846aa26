"""`load_domain`: built-in names, modules, `module:attribute` and file paths — including a
user's own package named `domain`, which es-tui's package of that name must not hide."""

from __future__ import annotations

import shutil
import textwrap
import uuid
from pathlib import Path

import pytest

from domain.core import Domain
from domain.core.loading import (
    DomainImportError,
    DomainLoadError,
    DomainNotFoundError,
    DomainShadowedError,
    NoDomainError,
    SeveralDomainsError,
)
from domain.domains import BUILT_IN, load_domain
from domain.ideas.domain import IDEAS

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "tests" / "domains" / "bank_account.py"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A uniquely named importable package holding a copy of the bank domain."""
    name = f"userpkg_{uuid.uuid4().hex[:8]}"
    write(tmp_path / name / "__init__.py", "")
    shutil.copy(BANK, tmp_path / name / "bank.py")
    write(
        tmp_path / name / "two.py",
        """
        import dataclasses
        from .bank import DOMAIN as CHECKING
        SAVINGS = dataclasses.replace(CHECKING, name="savings", stream_prefix="savings")
        """,
    )
    write(tmp_path / name / "broken.py", "raise RuntimeError('no database configured')\n")
    write(tmp_path / name / "empty.py", "VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_built_in_names_load_their_domain() -> None:
    assert load_domain("ideas") is IDEAS
    assert load_domain() is IDEAS
    assert set(BUILT_IN) == {"ideas", "accounts"}
    assert load_domain("domain.ideas.domain") is IDEAS
    assert load_domain("domain.ideas.domain:IDEAS") is IDEAS


def test_a_file_path_loads_relative_absolute_and_with_an_attribute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    for spec in ("./tests/domains/bank_account.py", str(BANK), f"{BANK}:DOMAIN"):
        domain = load_domain(spec)
        assert isinstance(domain, Domain)
        assert (domain.name, domain.stream_prefix) == ("bank", "account")


def test_a_module_loads_by_name_by_attribute_and_the_single_domain_is_found(package: str) -> None:
    assert load_domain(f"{package}.bank").name == "bank"
    assert load_domain(f"{package}.two:SAVINGS").name == "savings"
    assert load_domain(f"{package}.two:CHECKING").name == "bank"


def test_each_failure_is_its_own_error_with_the_spec_and_reason(
    package: str, tmp_path: Path
) -> None:
    cases: list[tuple[str, type[DomainLoadError], str]] = [
        (f"{package}.missing", DomainNotFoundError, "no module named"),
        ("no_such_package_anywhere.bank", DomainNotFoundError, "no module named"),
        (str(tmp_path / "nope.py"), DomainNotFoundError, "no file"),
        (f"{package}.bank:NOPE", DomainNotFoundError, "no attribute 'NOPE'"),
        (f"{package}.bank:Account", NoDomainError, "not a domain.core.Domain"),
        (f"{package}.empty", NoDomainError, "holds no domain.core.Domain"),
        (f"{package}.two", SeveralDomainsError, "CHECKING, SAVINGS"),
        (f"{package}.broken", DomainImportError, "RuntimeError: no database configured"),
        ("", DomainLoadError, "a domain is required"),
    ]
    for spec, kind, reason in cases:
        with pytest.raises(kind) as error:
            load_domain(spec)
        assert type(error.value) is kind, spec
        assert error.value.spec == spec.strip()
        assert reason in error.value.reason, (spec, error.value.reason)
    with pytest.raises(DomainImportError) as broken:
        load_domain(f"{package}.broken")
    assert isinstance(broken.value.error, RuntimeError)


def test_a_domain_attribute_wins_over_other_domains_in_the_module(tmp_path: Path) -> None:
    shutil.copy(BANK, tmp_path / "bank_account.py")
    path = write(
        tmp_path / "chosen.py",
        """
        import dataclasses
        from bank_account import DOMAIN as BASE
        OTHER = dataclasses.replace(BASE, name="other")
        DOMAIN = dataclasses.replace(BASE, name="chosen")
        """,
    )
    # A lone file imports its siblings as top-level modules, as a script does.
    assert load_domain(str(path)).name == "chosen"


def test_a_users_own_domain_package_loads_by_file_path(tmp_path: Path) -> None:
    # The user's package is called `domain`, like es-tui's; its modules import each other
    # relatively, and es-tui's core absolutely.
    pkg = tmp_path / "project" / "domain"
    write(pkg / "__init__.py", "")
    bank = (BANK.read_text()).replace("class Model(BaseModel):", "class _Unused(BaseModel):")
    write(
        pkg / "models.py",
        "from pydantic import BaseModel, ConfigDict\n\n"
        "class Model(BaseModel):\n    model_config = ConfigDict(frozen=True, extra='forbid')\n",
    )
    write(pkg / "accounts" / "__init__.py", "")
    write(
        pkg / "accounts" / "bank.py",
        bank.replace(
            "from domain.core import (", "from ..models import Model\nfrom domain.core import (", 1
        ),
    )
    domain = load_domain(str(pkg / "accounts" / "bank.py"))
    assert domain.name == "bank"
    # The user's `domain.models` really was the one used, under its own unique name.
    opened = domain.commands[0].model
    assert opened.__mro__[1].__module__.endswith("domain.models")
    assert not opened.__mro__[1].__module__.startswith("domain.")


def test_domain_dot_something_that_is_not_es_tuis_says_why_and_what_to_do() -> None:
    for spec in ("domain.bank", "domain.accounts.bank", "domain.core"):
        with pytest.raises(DomainShadowedError) as error:
            load_domain(spec)
        reason = error.value.reason
        assert "es-tui's own package 'domain'" in reason, spec
        assert "file path" in reason and ".py" in reason


def test_two_files_of_one_package_share_its_modules(tmp_path: Path) -> None:
    pkg = tmp_path / "shop" / "domain"
    write(pkg / "__init__.py", "")
    shutil.copy(BANK, pkg / "bank.py")
    write(
        pkg / "savings.py",
        """
        import dataclasses
        from .bank import DOMAIN as BANK
        SAVINGS = dataclasses.replace(BANK, name="savings", stream_prefix="savings")
        """,
    )
    bank = load_domain(str(pkg / "bank.py"))
    savings = load_domain(f"{pkg / 'savings.py'}:SAVINGS")
    # One copy of the user's bank module: the savings domain reuses its very command models.
    assert savings.commands[0].model is bank.commands[0].model
