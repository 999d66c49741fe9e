"""What a user would write instead, in PyTorch: an eager loop computing the same statistics with torch ops.

Run: .venv/bin/python bench/torch_eager.py DEPTH STEPS   (prints one JSON line: seconds for STEPS steps)
bench/engine.py runs it in a process of its own. PyTorch is a benchmark-only requirement
(bench/requirements.txt); the app and its tests never import it.

The loop is written the way a careful user would: pre-activations keep their gradient with retain_grad(),
every statistic is a torch op, and the per-step results stay tensors until the end (one transfer), so
the comparison is not lost to per-step .item() calls.
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from core.config import RunConfig  # noqa: E402
from core.engine.datasets import make_dataset  # noqa: E402

ACTIVATION_BINS, DELTA_BINS, DELTA_MIN_EXPONENT = 30, 48, -40


def statistics(z, a, delta, low, high):
    zero = (a == 0).float()
    delta_abs = delta.abs()
    exponent = torch.frexp(delta_abs)[1] - 1  # |delta| = m * 2^e with m in [1, 2)
    bins = (exponent - DELTA_MIN_EXPONENT).clamp(0, DELTA_BINS - 1)
    nonzero = delta_abs > 0
    return (
        torch.stack([z.square().mean(), a.mean(), a.std(unbiased=False), zero.mean(), zero.min(dim=0).values.mean(),
                     (z <= 0).float().mean(), delta.square().mean()]),
        torch.histc(a.clamp(low, high), bins=ACTIVATION_BINS, min=low, max=high),
        torch.bincount(bins[nonzero], minlength=DELTA_BINS),
        (~nonzero).sum(),
    )


def main(depth: int, steps: int, width: int = 64, batch_size: int = 256, learning_rate: float = 0.01):
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    config = RunConfig(dataset="spirals", activation="relu", initializer="he_normal", depth=depth, width=width,
                       batch_size=batch_size, steps=steps, record_every=1, learning_rate=learning_rate)
    dataset = make_dataset(config)
    x, y = torch.from_numpy(dataset.x), torch.from_numpy(dataset.y.astype(np.int64))
    layers = [torch.nn.Linear(dataset.input_dim if i == 0 else width, width) for i in range(depth)]
    for layer in layers:
        torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        torch.nn.init.zeros_(layer.bias)
    output = torch.nn.Linear(width, dataset.classes)
    parameters = [p for layer in layers + [output] for p in layer.parameters()]
    optimizer = torch.optim.SGD(parameters, lr=learning_rate)
    low, high = 0.0, 5.0
    recorded = []
    start = time.perf_counter()
    for _ in range(steps):
        index = torch.randint(0, len(y), (batch_size,))
        h, zs, activations = x[index], [], []
        for layer in layers:
            z = layer(h)
            z.retain_grad()
            h = torch.relu(z)
            zs.append(z)
            activations.append(h)
        loss = torch.nn.functional.cross_entropy(output(h), y[index])
        optimizer.zero_grad()
        loss.backward()
        with torch.no_grad():
            before = [layer.weight.clone() for layer in layers]
            grad_norms = torch.stack([layer.weight.grad.norm() for layer in layers])
            per_layer = [statistics(z, a, z.grad, low, high) for z, a in zip(zs, activations)]
        optimizer.step()
        with torch.no_grad():
            update_ratio = torch.stack([(layer.weight - b).norm() / b.norm() for layer, b in zip(layers, before)])
            recorded.append((loss.detach(), grad_norms, update_ratio,
                             *(torch.stack(column) for column in zip(*per_layer))))
    [[tensor.numpy() for tensor in step] for step in recorded]  # the one transfer a record needs
    seconds = time.perf_counter() - start
    print(json.dumps({"depth": depth, "steps": steps, "seconds": seconds, "torch": torch.__version__}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
