"""The explorer's screens: main, forms, replay, conflict lab, help."""
