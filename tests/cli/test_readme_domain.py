"""The README's own-domain tutorial works: its Python block, saved as a file, loads with
`load_domain(path)` and runs through `es-tui send` in real processes."""

from __future__ import annotations

from pathlib import Path

from domain.domains import load_domain
from es_tui.exits import EXIT_NOT_FOUND, EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from tests.cli.test_readme import readme_domain
from tests.cli.test_send import es_tui


def test_the_readme_domain_loads_by_path_and_runs_through_send(tmp_path: Path) -> None:
    source = readme_domain()
    assert len(source.splitlines()) <= 85  # a short tutorial stays short
    path = tmp_path / "mydomain.py"
    path.write_text(source, encoding="utf-8")
    domain = load_domain(str(path))
    assert domain.name == "counters"
    assert [spec.name for spec in domain.person_commands] == ["OpenCounter", "Add"]

    send = ("--store", f"sqlite:///{tmp_path / 'my.db'}", "send", "--domain", "./mydomain.py")
    opened = es_tui(*send, "OpenCounter", "--name", "cups", "--limit", "3", cwd=tmp_path)
    assert opened.code == EXIT_OK, opened.err
    counter = opened.json()["aggregate_id"]

    added = es_tui(*send, "Add", counter, "--by", "2", cwd=tmp_path)
    assert added.code == EXIT_OK, added.err
    assert added.json()["state"]["count"] == 2 and added.json()["version"] == 2
    over = es_tui(*send, "Add", counter, "--by", "2", cwd=tmp_path)
    assert over.code == EXIT_REFUSED and "over 3" in over.err
    assert es_tui(*send, "Add", "000000", cwd=tmp_path).code == EXIT_NOT_FOUND
    invalid = es_tui(*send, "Add", counter, "--by", "101", cwd=tmp_path)
    assert invalid.code == EXIT_USAGE and "by" in invalid.err
