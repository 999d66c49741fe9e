"""Which GPUs the local cluster's workers get: one worker process per GPU, each seeing only its own.

TensorFlow in a process takes every GPU it sees; with `CUDA_VISIBLE_DEVICES` set to one GPU per worker, two
runs never share a device's memory and each worker's runs use "GPU:0", its own GPU. Memory growth is turned
on in each worker before TensorFlow touches its GPU (core/engine/device.py). The web process asks the NVIDIA
driver through Dask's own NVML wrapper (distributed.diagnostics.nvml), so it needs no TensorFlow to count them.
"""
import os

from core.outside_text import outside

CUDA_VARIABLE = "CUDA_VISIBLE_DEVICES"


def visible_gpus(environ=None, device_count=None) -> list:
    """The GPU ids this process may hand out: those CUDA_VISIBLE_DEVICES lists when it is set (an empty value
    or -1 hides them all, as CUDA reads it), else every GPU the driver counts (`device_count()`; none without
    a driver)."""
    environ = os.environ if environ is None else environ
    listed = environ.get(CUDA_VARIABLE)
    if listed is not None:
        ids = [part.strip() for part in listed.split(",") if part.strip()]
        # CUDA stops at the first id that is not a device (-1 is the common way to hide them all)
        kept = []
        for gpu in ids:
            if gpu.lstrip("-").isdigit() and int(gpu) < 0:
                break
            kept.append(gpu)
        return kept
    if device_count is None:
        from distributed.diagnostics.nvml import device_get_count as device_count
    try:
        return [str(index) for index in range(device_count())]
    except Exception:  # no driver, or NVML refused: a CPU machine
        return []


def worker_environments(gpus: list, cpu_workers: int, base: dict) -> list:
    """One environment per local worker process: a worker per GPU, each with CUDA_VISIBLE_DEVICES naming its
    own; without GPUs, `cpu_workers` workers."""
    if gpus:
        return [{**base, CUDA_VARIABLE: gpu} for gpu in gpus]
    return [dict(base) for _ in range(cpu_workers)]  # CUDA_VISIBLE_DEVICES inherited: a driver NVML missed stays usable


def badge(devices_per_worker: list) -> str:
    """What the sidebar says about the workers' devices, from each worker's list of GPU names."""
    gpus = [name for names in devices_per_worker for name in names]
    workers = len(devices_per_worker)
    if not workers:
        return "no Dask worker is running yet"
    if gpus:
        # the names come from the workers' drivers (a remote cluster's, too): marked as outside text
        return (f"{len(gpus)} GPU{'s' if len(gpus) != 1 else ''} on {workers} Dask worker{'s' if workers != 1 else ''}: "
                + ", ".join(outside(name, quoted=False) for name in gpus))
    return f"CPU ({workers} Dask worker{'s' if workers != 1 else ''}, no GPU visible to TensorFlow)"
