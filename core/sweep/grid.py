"""The grid of a sweep: axes of values (from text such as "2,6,10"), expanded into one run per cell and seed.

An axis is a RunConfig field (depth, activation, learning_rate, ...) or one of the theory's two knobs:
sigma_w (the kernel initializer becomes variance scaling: Var(W) = sigma_w^2 / fan_in) and sigma_b (the bias
becomes random N(0, sigma_b^2)). A cell is one point of the grid; each cell runs once per seed, with seeds
base.seed, base.seed + 1, ... Every value goes through RunConfig's own validation and the host's limits.
"""
import itertools
import json
import math
from dataclasses import dataclass

from core.config import ConfigError, RunConfig, default_record_every, is_upload, parse_value
from core.engine.upload_store import STORE
from core.initializer_table import variance_scaling
from core.knobs import DATASETS, KNOBS
from core.limits import LIMIT_VARIABLES, current_limits
from core.theory.initializers import random_normal_bias

THEORY_AXES = {"sigma_w": "initializer", "sigma_b": "bias_initializer"}  # axis -> the field it sets
NOT_SWEPT = tuple(knob.name for knob in KNOBS if not knob.swept)  # seeds have their own count; the device is the machine's
AXES = tuple(knob.name for knob in KNOBS if knob.swept) + tuple(THEORY_AXES)
SIGMA_RANGE = (0.0, 10.0)


def split_values(text: str) -> list:
    """'2, 6,10' -> ['2', '6', '10']; commas inside a JSON config dict ({...}) do not split it."""
    parts, depth, current = [], 0, ""
    for character in str(text):
        if character in "{[":
            depth += 1
        elif character in "}]":
            depth -= 1
        if character == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += character
    parts.append(current.strip())
    return parts


def _theory_value(name: str, text: str) -> float:
    low, high = SIGMA_RANGE
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise ConfigError(name, text, f"a number from {low:g} to {high:g}")
    return value


def parse_axis(name: str, text: str) -> tuple:
    """The values of one axis from comma-separated text; ConfigError names the axis, the value and what is
    allowed."""
    if name not in AXES:
        hint = "use --seeds for several seeds" if name == "seed" else f"axes are {', '.join(AXES)}"
        raise ConfigError(name, text, f"not an axis a sweep can vary; {hint}")
    values, seen = [], set()
    for item in split_values(text):
        if not item:
            raise ConfigError(name, text, "comma-separated values such as 2,6,10 (no empty value)")
        value = _theory_value(name, item) if name in THEORY_AXES else parse_value(name, item)
        # a set, not `in values`: a list of a million values would take hours to check pair by pair
        seen_as = ("json", json.dumps(value, sort_keys=True)) if isinstance(value, (dict, list)) else value
        if seen_as in seen:
            raise ConfigError(name, text, f"each value once ({item} is repeated)")
        seen.add(seen_as)
        values.append(value)
    return tuple(values)


def field_values(axis_values: dict) -> dict:
    """The RunConfig fields of a cell's axis values (sigma_w and sigma_b become their initializers)."""
    fields = {}
    for name, value in axis_values.items():
        if name == "sigma_w":
            fields["initializer"] = variance_scaling(value)
        elif name == "sigma_b":
            fields["bias_initializer"] = random_normal_bias(value)
        else:
            fields[name] = value
    return fields


def value_label(value) -> str:
    """A value as a short label: a Keras config dict by its class and settings."""
    if isinstance(value, dict):
        settings = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                             for k, v in value.get("config", {}).items())
        return f"{value.get('class_name', '?')}({settings})"
    if isinstance(value, str) and value.startswith("{"):
        try:
            return value_label(json.loads(value))
        except json.JSONDecodeError:
            return value
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class TooManyRuns(ConfigError):
    """A grid with more runs (cells × seeds) than the host allows: no one axis or value is wrong, the count is."""

    def __init__(self, grid, limit: int):
        runs = grid.cell_count * grid.seeds
        variable = LIMIT_VARIABLES["sweep_cells"][0]
        super().__init__("runs", runs, f"at most {limit} runs are allowed (the host's limit, set by {variable})")
        cells = f"{grid.cell_count} cell{'s' if grid.cell_count != 1 else ''}"
        seeds = f"{grid.seeds} seed{'s' if grid.seeds != 1 else ''}"
        axes = " × ".join(f"{len(values)} {name} values" for name, values in grid.axes)
        self.args = (f"the grid has {runs} runs ({cells} × {seeds}{'; cells: ' + axes if axes else ''}); "
                     f"{self.allowed}",)


@dataclass(frozen=True)
class Cell:
    """One run of a sweep: a grid cell (its index and axis values) with one seed."""
    cell: int
    values: dict
    seed: int
    config: RunConfig


@dataclass(frozen=True)
class Grid:
    base: RunConfig  # every field that is not an axis
    axes: tuple  # ((name, (value, ...)), ...); the first is the horizontal axis of a heat map
    seeds: int = 1
    record_every_follows_steps: bool = False  # each run records about 150 steps (a steps axis without --record-every)

    @property
    def names(self) -> tuple:
        return tuple(name for name, _ in self.axes)

    @property
    def cell_count(self) -> int:
        return math.prod(len(values) for _, values in self.axes)

    def cell_values(self) -> list:
        """The axis values of every cell, the first axis varying slowest."""
        return [dict(zip(self.names, combination)) for combination in itertools.product(*(v for _, v in self.axes))]

    def config(self, values: dict, seed_offset: int = 0) -> RunConfig:
        fields = field_values(values)
        if self.record_every_follows_steps:
            fields["record_every"] = default_record_every(fields.get("steps", self.base.steps))
        return self.base.replace(**fields, seed=self.base.seed + seed_offset)

    def key(self) -> str:
        """Equal sweeps give equal keys (a cache key)."""
        return repr((self.base.key(), self.axes, self.seeds, self.record_every_follows_steps))


def make_grid(base: RunConfig, axes: dict, seeds: int = 1, record_every_follows_steps: bool = False) -> Grid:
    """A checked Grid from parsed axes {name: values}; ConfigError for what does not fit together."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ConfigError("seeds", seeds, "a whole number of seeds, at least 1")
    for axis, field in THEORY_AXES.items():
        if axis in axes and field in axes:
            raise ConfigError(axis, ",".join(map(str, axes[axis])), f"either {axis} or {field} as an axis, not both")
    for dataset in axes.get("dataset", (base.dataset,)):
        if is_upload(dataset) and dataset not in STORE:  # the sweep sends the server's copy to its workers
            raise ConfigError("dataset", dataset, f"a built-in data set ({', '.join(DATASETS)}) or a CSV this server "
                              "still has; upload the CSV again in the Lab")
    grid = Grid(base, tuple((name, tuple(values)) for name, values in axes.items()), seeds, record_every_follows_steps)
    limit = current_limits().sweep_cells
    if grid.cell_count * seeds > limit:
        raise TooManyRuns(grid, limit)
    for name, values in grid.axes:  # each value on its own first: the message names just that value
        for value in values:
            try:
                grid.config({name: value})
            except ConfigError as error:
                if error.field in (name, THEORY_AXES.get(name)):
                    raise ConfigError(name, value, error.allowed) from None
    for values in grid.cell_values():
        for offset in (0, seeds - 1):  # the first and the last seed bound every seed in between
            try:
                grid.config(values, offset)
            except ConfigError as error:
                raise ConfigError(error.field, error.value, f"{error.allowed} (in the cell {_describe(values)})") from None
    return grid


def _describe(values: dict) -> str:
    return ", ".join(f"{name} = {value}" for name, value in values.items())


def expand(grid: Grid) -> list:
    """Every run of the grid: each cell with each seed, cells in order and seeds innermost."""
    runs = []
    for index, values in enumerate(grid.cell_values()):
        for offset in range(grid.seeds):
            runs.append(Cell(index, values, grid.base.seed + offset, grid.config(values, offset)))
    return runs

