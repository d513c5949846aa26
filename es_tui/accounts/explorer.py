"""The accounts domain's explorer part: `c` opens its own lab (a fresh account holding 100,
two writers withdrawing 80) instead of the generic one on the selected aggregate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from es_tui.accounts.lab import accounts_plan
from es_tui.screens.domain_lab import DomainLab

if TYPE_CHECKING:
    from domain.bootstrap import System
    from es_tui.screens.main import MainScreen


class AccountsExplorer:
    """Takes over the conflict lab only."""

    selection = "a stream of accounts"
    palette: tuple[tuple[str, str, str], ...] = ()

    def actions(self, system: System) -> frozenset[str]:
        return frozenset({"conflict_lab"}) if system.handler is not None else frozenset()

    def act(self, action: str, screen: MainScreen) -> None:
        handler = screen.system.handler
        if action == "conflict_lab" and handler is not None:
            screen.app.push_screen(DomainLab(screen.system, handler, accounts_plan()))


PART = AccountsExplorer()
"""What `es_tui.fronts.front_part("accounts", "explorer")` returns."""
