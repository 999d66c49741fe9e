"""Upper limits that protect a shared server; a host changes them with environment variables."""
import os
from dataclasses import dataclass

# field -> (environment variable, default limit)
LIMIT_VARIABLES = {
    "depth": ("GRADFLOW_MAX_DEPTH", 100),
    "width": ("GRADFLOW_MAX_WIDTH", 1024),
    "steps": ("GRADFLOW_MAX_STEPS", 5000),
    "batch_size": ("GRADFLOW_MAX_BATCH", 4096),
    "samples": ("GRADFLOW_MAX_SAMPLES", 20000),
    "input_dim": ("GRADFLOW_MAX_INPUT_DIM", 1024),
    "recorded_steps": ("GRADFLOW_MAX_RECORDED_STEPS", 1000),
    "upload_mb": ("GRADFLOW_MAX_UPLOAD_MB", 50),
    "kept_weights_mb": ("GRADFLOW_MAX_KEPT_WEIGHTS_MB", 16),
    "sweep_cells": ("GRADFLOW_MAX_SWEEP_CELLS", 400),
    "active_sweeps": ("GRADFLOW_MAX_ACTIVE_SWEEPS", 2),
}


@dataclass(frozen=True)
class Limits:
    depth: int
    width: int
    steps: int
    batch_size: int
    samples: int
    input_dim: int
    recorded_steps: int
    upload_mb: int  # uploaded files and imported records, in megabytes
    kept_weights_mb: int  # a finished run keeps its trained weights (for the .keras export) up to this size
    sweep_cells: int  # runs in one sweep: grid cells times seeds
    active_sweeps: int  # sweeps running at once on this server (more are refused until one ends)


def current_limits(environ=None) -> Limits:
    """Read the limits now, so a host's environment wins over the defaults."""
    environ = os.environ if environ is None else environ
    values = {}
    for field, (variable, default) in LIMIT_VARIABLES.items():
        raw = environ.get(variable)
        if raw is None or raw.strip() == "":
            values[field] = default
            continue
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{variable}={raw!r} is not an integer; a positive integer is allowed") from None
        if value < 1:
            raise ValueError(f"{variable}={value} must be a positive integer")
        values[field] = value
    return Limits(**values)
