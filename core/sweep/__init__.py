"""Sweeps: many runs over a grid of configurations, on Dask, summarized per cell (core/sweep/*.py)."""
