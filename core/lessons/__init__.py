"""Lessons: presets from the literature, and lesson links (a configuration or a comparison in a URL)."""
