"""The ideas domain's own explorer screens: its publish and edit forms and its conflict lab."""
