"""The Lab's own panels: the chain rule of one layer, the units that die, the step bar, what to take home."""
