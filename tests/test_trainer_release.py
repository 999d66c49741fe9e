"""An evicted trainer's traced graphs are freed: TensorFlow's function library and its gradient registry do
not grow with the architectures a server has seen, and other trainers keep working."""
import gc

from tensorflow.python.eager import context
from tensorflow.python.framework import func_graph, ops

from core.config import RunConfig
from core.engine.pool import TrainerPool
from core.engine.run import run_to_end


def traced_functions(library):
    """Functions from traces; `__wrapped__` ones are eager ops' own wrappers, one per op type."""
    gc.collect()  # a freed graph's functions leave the library when its (cyclic) objects are collected
    return [name for name in library.list_function_names() if not name.startswith("__wrapped__")]


def live_graphs() -> int:
    gc.collect()
    return sum(isinstance(thing, func_graph.FuncGraph) for thing in gc.get_objects())


def custom_gradients() -> int:
    return sum(name.startswith("CustomGradient-") for name in ops._gradient_registry._registry)


def test_evicted_trainers_free_their_graphs_and_the_rest_still_train():
    pool = TrainerPool(max_idle=1)
    library = context.context()
    configs = [RunConfig(depth=depth, width=8, steps=10, samples=200, activation="tanh") for depth in (2, 3, 4, 5, 6, 7)]
    run_to_end(configs[0], pool)
    run_to_end(configs[1], pool)  # evicts the depth-2 trainer
    settled = len(traced_functions(library)), live_graphs(), custom_gradients()
    for config in configs[2:]:
        record = run_to_end(config, pool)  # each evicts the one before: same activation, shared statistics
        assert record.status == "finished"
    assert len(traced_functions(library)) <= settled[0], "the function library does not grow"
    assert live_graphs() <= settled[1], "no graph of an evicted trainer stays alive"
    assert custom_gradients() <= settled[2], "the gradient registry does not grow"
    again = run_to_end(configs[0], pool)  # traced anew after its trainer was released
    assert again.status == "finished" and pool.built == 7
