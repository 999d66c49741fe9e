"""The engine: the network, its compiled training step and statistics, and runs live or to the end."""
