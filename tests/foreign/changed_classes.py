"""An application whose classes change after it stored snapshots: a child process writes a
database with the first version of a module (so this process never imports it), and the
reader may then import the second version under the same name, or none at all."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path

FIRST = textwrap.dedent(
    '''
    """Tallies counted in units, snapshotted every 3 events."""

    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event


    class Tally(Aggregate):
        @event("Started")
        def __init__(self, name: str) -> None:
            self.name = name
            self.total = 0

        @event("Added")
        def add(self, amount: int) -> None:
            self.total += amount


    class Tallies(Application):
        snapshotting_intervals = {Tally: 3}


    def write(path: str, amounts: list[int]) -> None:
        app = Tallies(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
        tally = Tally("apples")
        app.save(tally)
        for amount in amounts:
            tally.add(amount)
            app.save(tally)
        print(tally.id, flush=True)
        app.close()
    '''
)

SECOND = textwrap.dedent(
    '''
    """Tallies now counted in cents: what an event adds, and a new field, changed."""

    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event


    class Tally(Aggregate):
        @event("Started")
        def __init__(self, name: str) -> None:
            self.name = name
            self.total = 0
            self.unit = "cent"

        @event("Added")
        def add(self, amount: int) -> None:
            self.total += amount * 100


    class Tallies(Application):
        snapshotting_intervals = {Tally: 3}
    '''
)

AMOUNTS = [1, 2, 3, 4, 5, 6]
"""Six additions after the start: versions 1 to 7, snapshots at v3 and v6."""


@dataclass(frozen=True)
class Written:
    """A tally database written by the first version of `module`."""

    url: str
    tally: uuid.UUID
    module: str
    path: Path


def write_tallies(folder: Path, module: str) -> Written:
    """Write `module` (its first version) into `folder/first` and let a child process
    store a tally with it; this process does not import it."""
    first = folder / "first"
    first.mkdir(parents=True)
    (first / f"{module}.py").write_text(FIRST, encoding="utf-8")
    db = folder / "tallies.db"
    code = f"import sys; sys.path.insert(0, {str(first)!r}); import {module}; "
    code += f"{module}.write({str(db)!r}, {AMOUNTS!r})"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=folder
    )
    tally = uuid.UUID(done.stdout.strip())
    return Written(f"eventsourcing+sqlite:///{db}?app=Tallies", tally, module, db)


def second_version(folder: Path, module: str) -> Path:
    """The folder holding the second version of `module` (to import instead)."""
    second = folder / "second"
    second.mkdir(parents=True, exist_ok=True)
    (second / f"{module}.py").write_text(SECOND, encoding="utf-8")
    return second
