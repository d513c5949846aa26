"""Command-line entry point: `es-tui` and `python -m es_tui`."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from es_tui.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
