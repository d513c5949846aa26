"""The accounts domain's own front-end part: its conflict lab, on the invariant only optimistic
concurrency protects. Everything else on accounts is the generic front end. Reached only
through `es_tui.fronts`; it names the domain's commands by string, through the Domain port."""
