"""What serves a class: live runs trained on Dask workers, their frames brought to the web process."""
