"""Size TensorFlow's thread pools for a server where several runs train at once.

TensorFlow's pools are per process. By default every op may fan out over all cores, so concurrent runs of
small nets mostly wait on each other. Measured on 2 cores, four depth-20 width-64 runs at once (README,
Hosting): 3.6 s with the defaults, 3.3 s with one thread per op and one op per core, 4.2 s with one of each.
"""
import os

import tensorflow as tf


def thread_counts(cores: int, active_runs: int, environ=None) -> tuple[int, int]:
    """(intra-op, inter-op) threads: the cores shared among the runs allowed at once, one op per core."""
    environ = os.environ if environ is None else environ
    intra = max(1, cores // max(1, active_runs))
    inter = max(1, cores)
    intra = int(environ.get("GRADFLOW_TF_INTRA_THREADS", intra))
    inter = int(environ.get("GRADFLOW_TF_INTER_THREADS", inter))
    return intra, inter


def configure_threads(active_runs: int, environ=None) -> bool:
    """Set the pools before TensorFlow starts its runtime; False when it had started already."""
    intra, inter = thread_counts(os.cpu_count() or 1, active_runs, environ)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra)
        tf.config.threading.set_inter_op_parallelism_threads(inter)
    except RuntimeError:
        return False  # the runtime is up (a test process, say): its pools stay as they are
    return True
