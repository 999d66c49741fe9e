"""The engine: the network, its compiled training step and statistics, and a run to the end (what serves
a class, live runs among them, is core/serve/)."""
