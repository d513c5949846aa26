"""es-tui: a keyboard-driven terminal workbench for event sourcing."""
