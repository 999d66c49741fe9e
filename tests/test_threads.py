"""TensorFlow's thread pools are shared among the runs a server allows at once."""
from core.engine.threads import thread_counts


def test_the_cores_are_shared_among_the_runs_allowed_at_once():
    assert thread_counts(2, 2, environ={}) == (1, 2)
    assert thread_counts(8, 2, environ={}) == (4, 8)
    assert thread_counts(8, 1, environ={}) == (8, 8)
    assert thread_counts(2, 30, environ={}) == (1, 2), "never fewer than one thread"


def test_a_host_can_set_the_pools_itself():
    environ = {"GRADFLOW_TF_INTRA_THREADS": "3", "GRADFLOW_TF_INTER_THREADS": "5"}
    assert thread_counts(2, 2, environ=environ) == (3, 5)
