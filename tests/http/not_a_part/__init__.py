"""A package of front-end parts whose HTTP part is not one (for the registry's error path)."""
