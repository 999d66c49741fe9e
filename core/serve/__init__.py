"""What serves a class: the server's shared parts, live and shared runs, the record cache, the redraw budget,
the grace for vanished browsers, and runs trained on Dask workers with their frames brought to the web process."""
