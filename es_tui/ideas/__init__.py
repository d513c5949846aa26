"""The ideas domain's own front-end parts, on top of what the Domain port generates: its CLI
verbs (`cli`), its origin's HTTP routes (`http`) and its explorer forms, lab and read-model
list (`explorer`). Reached only through `es_tui.fronts`."""
