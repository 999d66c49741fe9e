"""Which device runs a run: a GPU when TensorFlow sees one (with memory growth on), else the CPU."""
import tensorflow as tf

_configured = False


def configure_gpus() -> list:
    """Turn on memory growth once, before TensorFlow touches a GPU, so one run does not take all its memory."""
    global _configured  # process-wide on purpose: TensorFlow's device setup is itself process-wide
    gpus = tf.config.list_physical_devices("GPU")
    if not _configured:
        for gpu in gpus:
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError:
                pass  # the GPU was initialised already; growth can no longer change, training still works
        _configured = True
    return gpus


def choose_device(gpu_names: list, force_cpu: bool) -> str:
    """The TensorFlow device string for a run, from the GPUs visible to TensorFlow."""
    if gpu_names and not force_cpu:
        return "GPU:0"
    return "CPU:0"


def gpu_names() -> list:
    names = []
    for gpu in configure_gpus():
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name") or gpu.name)
    return names


def badge_text(gpu_names: list, force_cpu: bool = False) -> str:
    """What the sidebar says about the device."""
    if gpu_names and not force_cpu:
        return f"GPU: {gpu_names[0]}"
    if gpu_names:
        return f"CPU (forced; GPU {gpu_names[0]} is visible)"
    return "CPU (no GPU visible to TensorFlow)"
