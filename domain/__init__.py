"""Event-sourcing core and the ideas domain. Pure Python and pydantic: no UI imports."""
