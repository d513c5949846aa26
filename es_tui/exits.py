"""The exit codes of every `es-tui` subcommand, in one place every front end can import.

0 ok · 1 a residue of a forgotten aggregate was found (or a sealed payload was tampered
with) · 2 bad usage or input · 3 concurrency conflict · 4 a domain rule refused the command ·
5 not found · 6 the store file is damaged · 7 the disk cannot take the write.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_RESIDUE = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_REFUSED = 4
EXIT_NOT_FOUND = 5
EXIT_DAMAGED = 6
EXIT_NO_SPACE = 7
