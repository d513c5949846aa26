"""The benchmark's table: each figure for es-tui, the library and the library under -O, the
ratios, and each target with what was measured against it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

Timings = dict[str, list[float]]

BACKENDS = {"memory": "memory", "sqlite": "SQLite"}
WORKLOAD_STORE = "each idea's events together"
"""The layout of the store of the benchmark's long ideas, whose view is rebuilt too."""


def rate(value: float) -> str:
    """A per-second figure, short: 1.23M, 45.6k, 789."""
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}"


def micros(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs" if seconds < 0.1 else f"{seconds * 1e3:,.0f} ms"


@dataclass(frozen=True)
class Row:
    """One figure: es-tui's, the library's and the library's under -O, as speeds (higher is
    faster), with how to show them."""

    name: str
    ours: float
    theirs: float | None
    theirs_o: float | None
    shown: str  # "rate" (per second) or "time" (the speed is 1 / seconds)
    unit: str = ""

    def show(self, speed: float | None) -> str:
        if speed is None:
            return "—"
        if self.shown == "time":
            return micros(1 / speed)
        return f"{rate(speed)} {self.unit}".strip()

    def ratio(self, other: float | None) -> str:
        return "—" if other is None else f"{self.ours / other:,.1f}x"


@dataclass(frozen=True)
class Target:
    """One target and whether it was met."""

    what: str
    measured: str
    required: str
    met: bool


class Report:
    """Medians of the timings, as rows and targets."""

    def __init__(self, spec: dict[str, Any], ours: Timings, theirs: Timings, theirs_o: Timings):
        self.spec = spec
        self.ours, self.theirs, self.theirs_o = ours, theirs, theirs_o

    @staticmethod
    def _median(timings: Timings, key: str) -> float | None:
        runs = timings.get(key)
        return statistics.median(runs) if runs else None

    def _speeds(
        self, key: str, units: float, library_key: str | None = None
    ) -> tuple[float, float | None, float | None]:
        ours = self._median(self.ours, key)
        assert ours is not None, key
        lib_key = library_key or key
        theirs = self._median(self.theirs, lib_key)
        theirs_o = self._median(self.theirs_o, lib_key)
        return (
            units / ours,
            None if theirs is None else units / theirs,
            None if theirs_o is None else units / theirs_o,
        )

    def rows(self) -> list[Row]:
        out: list[Row] = []
        for backend, label in BACKENDS.items():
            for n in self.spec["rehydrate"]:
                key = f"rehydrate/{backend}/{n}"
                speeds = self._speeds(key, n)
                out.append(Row(f"rehydrate {n:,} events, {label}", *speeds, "rate", "ev/s"))
                speeds = self._speeds(key, n, f"rehydrate-cipher/{backend}/{n}")
                name = "  same, library with its AES-GCM cipher"
                out.append(Row(name, *speeds, "rate", "ev/s"))
                if f"rehydrate-evolve/{backend}/{n}" in self.ours:
                    speeds = self._speeds(f"rehydrate-evolve/{backend}/{n}", n, key)
                    name = "  same, es-tui one evolve per event (every field opened)"
                    out.append(Row(name, *speeds, "rate", "ev/s"))
        for backend, label in BACKENDS.items():
            for n in self.spec["snapshots"]:
                speeds = self._speeds(f"snapshot/{backend}/{n}", 1)
                out.append(Row(f"snapshot + 5 of {n:,} events, {label}", *speeds, "time"))
        for backend, label in BACKENDS.items():
            # Like for like: es-tui's cached state against the library's aggregate kept in
            # memory; es-tui's load per command against the library's get per command.
            warm = f"commands/{backend}/edit"
            cold = f"commands/{backend}/edit-cold"
            for ours, lib, name in (
                (warm, "method+save", "commands, cached state (warm) vs lib method+save"),
                (warm, "get+method+save", "commands, cached state (warm) vs lib get+method+save"),
                (cold, "get+method+save", "commands, load each time (cold) vs lib get+method+save"),
            ):
                speeds = self._speeds(ours, 1, f"commands/{backend}/{lib}")
                out.append(Row(f"{name}, {label}", *speeds, "rate", "/s"))
        for key in self.ours:
            if key.startswith("projection/"):
                _, layout, events, ideas = key.split("/")
                n = int(events)
                name = f"view rebuild {n:,} ev, {int(ideas):,} ideas"
                if layout != WORKLOAD_STORE:
                    name += f", {layout}"
                out.append(Row(name, *self._speeds(key, n), "rate", "ev/s"))
        return out

    def targets(self) -> list[Target]:
        rows = {row.name: row for row in self.rows()}
        out: list[Target] = []
        for n in self.spec["rehydrate"]:
            row = rows[f"rehydrate {n:,} events, memory"]
            out.append(Target(row.name, row.show(row.ours), ">= 1.00M ev/s", row.ours >= 1e6))
            for other, label, need in (
                (row.theirs, "library", 15),
                (row.theirs_o, "library -O", 5),
            ):
                if other is not None:
                    out.append(
                        Target(
                            f"{row.name} vs {label}",
                            row.ratio(other),
                            f">= {need}x",
                            row.ours >= need * other,
                        )
                    )
            row = rows[f"rehydrate {n:,} events, SQLite"]
            if row.theirs is not None:
                out.append(
                    Target(
                        f"{row.name} vs library",
                        row.ratio(row.theirs),
                        ">= 4x",
                        row.ours >= 4 * row.theirs,
                    )
                )
        sizes = self.spec["snapshots"]
        for label in BACKENDS.values():
            small = rows[f"snapshot + 5 of {sizes[0]:,} events, {label}"]
            large = rows[f"snapshot + 5 of {sizes[-1]:,} events, {label}"]
            slower = small.ours / large.ours
            out.append(
                Target(
                    f"snapshot load at {sizes[-1]:,} vs at {sizes[0]:,} events, {label}",
                    f"{slower:.2f}x the time",
                    "<= 2x",
                    slower <= 2,
                )
            )
        for label in BACKENDS.values():
            for n in sizes:
                row = rows[f"snapshot + 5 of {n:,} events, {label}"]
                for other, lib in ((row.theirs, "library"), (row.theirs_o, "library -O")):
                    if other is not None:
                        out.append(
                            Target(
                                f"{row.name} vs {lib}", row.ratio(other), ">= 1x", row.ours >= other
                            )
                        )
        for name, need in (
            ("commands, cached state (warm) vs lib method+save, memory", 1.5),
            ("commands, cached state (warm) vs lib get+method+save, memory", 3),
        ):
            row = rows[name]
            if row.theirs is not None:
                out.append(
                    Target(
                        name, row.ratio(row.theirs), f">= {need}x", row.ours >= need * row.theirs
                    )
                )
        for row in rows.values():
            if row.name.startswith("view rebuild"):
                out.append(Target(row.name, row.show(row.ours), ">= 300k ev/s", row.ours >= 3e5))
        return out

    def print(self) -> None:
        header = ("figure", "es-tui", "library", "library -O", "vs lib", "vs lib -O")
        widths = (66, 12, 12, 12, 8, 9)
        line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
        print(f"\n{line}\n{'-' * len(line)}")
        for row in self.rows():
            cells = (
                row.name,
                row.show(row.ours),
                row.show(row.theirs),
                row.show(row.theirs_o),
                row.ratio(row.theirs),
                row.ratio(row.theirs_o),
            )
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
        print("\nTargets")
        for target in self.targets():
            verdict = "met" if target.met else "MISSED"
            measured = f"{target.measured:>14}"
            print(f"  {verdict:<7} {target.what:<72} {measured}  (target {target.required})")
