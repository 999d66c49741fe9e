"""The Sweep page's parts: its controls, its runs on Dask (one client per server), and the panels that draw them."""
