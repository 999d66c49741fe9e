"""Forget what TensorFlow keeps, process-wide, of a traced function whose owner is gone.

Graph-mode `tf.custom_gradient` (which Keras's optimizer reaches through tf.distribute's all-reduce in every
`apply_gradients` trace) registers its gradient under a new name, "CustomGradient-N", in TensorFlow's
global gradient registry, and never removes it. The registered function holds the traced graph's tensors,
so each traced training step stayed alive for the life of the server: the ~10 MB per architecture that
bench/memory.py measured. Entries are matched to their graph through the tensors they hold, so two
sessions tracing at once never remove each other's.
"""
from tensorflow.python.framework import ops

PREFIX = "CustomGradient-"


def _owner_chain(graph):
    while graph is not None:
        yield graph
        graph = getattr(graph, "outer_graph", None)


def _held_tensors(entry) -> list:
    """The tensors a registered custom gradient keeps (its closure's `result` and `variables`)."""
    function = entry["type"]
    cells = dict(zip(function.__code__.co_freevars, function.__closure__ or ()))
    if "tape_grad_fn" not in cells:
        return []
    tape = cells["tape_grad_fn"].cell_contents
    tape_cells = dict(zip(tape.__code__.co_freevars, tape.__closure__ or ()))
    held = []
    for name in ("result", "variables"):
        if name in tape_cells:
            value = tape_cells[name].cell_contents
            held += value if isinstance(value, (list, tuple)) else [value]
    return [tensor for tensor in held if hasattr(tensor, "graph")]


def forget_custom_gradients(graphs) -> int:
    """Remove the registry's custom gradients traced inside any of `graphs`; returns how many went."""
    owners = {id(graph) for graph in graphs}
    registry = ops._gradient_registry._registry  # pinned TensorFlow (requirements.txt); tested
    doomed = []
    for name, entry in list(registry.items()):
        if not name.startswith(PREFIX):
            continue
        try:
            tensors = _held_tensors(entry)
        except (AttributeError, TypeError, ValueError):
            continue  # a shape this code does not know: keep it (a leak, never a crash)
        if any(id(graph) in owners for tensor in tensors for graph in _owner_chain(tensor.graph)):
            doomed.append(name)
    for name in doomed:
        registry.pop(name, None)
    return len(doomed)
