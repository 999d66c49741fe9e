"""An evicted trainer's traced graphs leave TensorFlow's function library; other trainers keep working."""
from tensorflow.python.eager import context

from core.config import RunConfig
from core.engine.pool import TrainerPool
from core.engine.run import run_to_end


def traced_functions(library):
    """Functions from traces; `__wrapped__` ones are eager ops' own wrappers, one per op type."""
    return [name for name in library.list_function_names() if not name.startswith("__wrapped__")]


def test_evicted_trainers_free_their_functions_and_the_rest_still_train():
    pool = TrainerPool(max_idle=1)
    library = context.context()
    configs = [RunConfig(depth=depth, width=8, steps=10, samples=200, activation="tanh") for depth in (2, 3, 4, 5, 6, 7)]
    run_to_end(configs[0], pool)
    run_to_end(configs[1], pool)  # evicts the depth-2 trainer
    settled = len(traced_functions(library))
    for config in configs[2:]:
        record = run_to_end(config, pool)  # each evicts the one before: same activation, shared statistics
        assert record.status == "finished"
    assert len(traced_functions(library)) <= settled, "the library does not grow with evicted architectures"
    again = run_to_end(configs[0], pool)  # traced anew after its trainer was released
    assert again.status == "finished" and pool.built == 7
