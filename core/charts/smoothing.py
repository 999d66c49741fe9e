"""Exponential moving average of a noisy per-step curve, as TensorBoard draws it."""
import numpy as np
import pandas as pd


def ema(values, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: last = weight * last + (1 - weight) * value, divided by 1 - weight^(n + 1)
    so the start is not pulled toward 0. Works column by column on a [step, column] array; a non-finite
    value is skipped (it stays a gap and does not pull the average). weight = 0 returns the values."""
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing = {weight!r} is not allowed: use a weight from 0 to below 1")
    values = np.asarray(values, dtype=float)
    if weight == 0.0 or values.size == 0:
        return values.copy()
    # pandas' adjusted EWM is exactly the debiased form; ignore_na skips non-finite values.
    frame = pd.DataFrame(values.reshape(len(values), -1)).replace([np.inf, -np.inf], np.nan)
    smoothed = frame.ewm(alpha=1.0 - weight, adjust=True, ignore_na=True).mean().to_numpy(copy=True)
    smoothed[frame.isna().to_numpy()] = np.nan  # as TensorBoard: a non-finite value stays a gap
    return smoothed.reshape(values.shape)
