"""Datasets: scikit-learn's where it has them, plus spirals, xor, a teacher-labelled gaussian, and CSVs
uploaded to this server (core/engine/upload_store.py)."""
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits, make_circles, make_moons
from sklearn.preprocessing import StandardScaler

from core.config import TWO_D_DATASETS, RunConfig, is_upload
from core.engine.upload_store import STORE, UploadGone


@dataclass(frozen=True)
class Dataset:
    x: np.ndarray  # float32, standardized: mean 0 and variance 1 per input
    y: np.ndarray  # int32 class labels
    classes: int

    @property
    def input_dim(self) -> int:
        return self.x.shape[1]


def _spirals(samples, noise, rng):
    # Two interleaved arms, each a full turn and a half; noise is relative to the arms' radius.
    per_arm = [samples // 2, samples - samples // 2]
    points, labels = [], []
    for arm, count in enumerate(per_arm):
        t = np.sqrt(rng.uniform(0.0, 1.0, count)) * 3.0 * np.pi
        angle = t + arm * np.pi
        xy = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) / (3.0 * np.pi)
        points.append(xy + rng.normal(0.0, noise, xy.shape))
        labels.append(np.full(count, arm))
    return np.concatenate(points), np.concatenate(labels)


def _xor(samples, noise, rng):
    xy = rng.uniform(-1.0, 1.0, (samples, 2))
    labels = (xy[:, 0] * xy[:, 1] > 0).astype(int)
    return xy + rng.normal(0.0, noise, xy.shape), labels


def _gaussian(samples, input_dim, seed):
    # N(0, I) inputs labelled by the sign of a random one-hidden-layer tanh teacher.
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, input_dim))
    hidden = np.tanh(x @ rng.standard_normal((input_dim, 32)) / np.sqrt(input_dim))
    score = hidden @ rng.standard_normal(32)
    return x, (score > np.median(score)).astype(int)


def make_dataset(config: RunConfig) -> Dataset:
    """The config's dataset, deterministic in its seed."""
    rng = np.random.default_rng(config.seed)
    classes = 10 if config.dataset == "digits" else 2
    if config.dataset == "spirals":
        x, y = _spirals(config.samples, config.noise, rng)
    elif config.dataset == "moons":
        x, y = make_moons(config.samples, noise=config.noise, random_state=config.seed)
    elif config.dataset == "circles":
        x, y = make_circles(config.samples, noise=config.noise, factor=0.5, random_state=config.seed)
    elif config.dataset == "xor":
        x, y = _xor(config.samples, config.noise, rng)
    elif config.dataset == "gaussian":
        x, y = _gaussian(config.samples, config.input_dim, config.seed)
    elif config.dataset == "digits":
        digits = load_digits()
        order = rng.permutation(len(digits.target))[: config.samples]
        x, y = digits.data[order], digits.target[order]
    elif is_upload(config.dataset):
        # As the digits: min(samples, rows) rows in an order seeded by the seed (all of them, shuffled, when
        # samples >= rows). Every class of the file keeps its output unit even if the sample misses it.
        upload = STORE.get(config.dataset)  # raises UploadGone, naming the data set
        order = rng.permutation(upload.rows)[: config.samples]
        x, y = upload.features[order], upload.labels[order]
        classes = len(upload.class_names)
    else:
        raise ValueError(f"unknown dataset {config.dataset!r}")
    # Constant pixels of the digits (or constant columns of a CSV) have zero variance; StandardScaler leaves them at 0.
    x = StandardScaler().fit_transform(x).astype(np.float32)
    return Dataset(x=x, y=y.astype(np.int32), classes=classes)


DATA_POINTS = 600  # points the Data view draws at most: the shape shows, the browser stays light


def data_points(config: RunConfig, most: int = DATA_POINTS) -> tuple:
    """The Data view's points of 2-D data (x, y and the label as text), every k-th example so at most about
    `most`, and the number of classes. The Lab's view and the exported chart both draw these."""
    dataset = make_dataset(config)
    step = max(1, len(dataset.y) // most)
    rows = pd.DataFrame({"x": dataset.x[::step, 0], "y": dataset.x[::step, 1], "label": dataset.y[::step].astype(str)})
    return rows, dataset.classes


def input_dim_of(config: RunConfig) -> int | None:
    """How many inputs the config's data has, without making it; None for an upload this server lost."""
    if config.dataset in TWO_D_DATASETS:
        return 2
    if config.dataset == "gaussian":
        return config.input_dim
    if config.dataset == "digits":
        return 64
    try:
        return STORE.get(config.dataset).input_dim
    except UploadGone:
        return None


def class_count(config: RunConfig) -> int | None:
    """How many classes the config's data has, without making it; None for an upload this server lost."""
    if not is_upload(config.dataset):
        return 10 if config.dataset == "digits" else 2
    try:
        return len(STORE.get(config.dataset).class_names)
    except UploadGone:
        return None


def is_two_d(config: RunConfig) -> bool:
    """Data with exactly two inputs (a built-in 2-D set, a 2-input gaussian, a 2-feature CSV): the pages draw
    it with the decision boundary."""
    return input_dim_of(config) == 2
