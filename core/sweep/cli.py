"""`python -m core sweep`: many runs over a grid, on Dask, into one table (CSV or Parquet).

    python -m core sweep --depth 2,6 --activation relu,sigmoid --seeds 2 --steps 50 --out sweep.csv

Every run flag takes comma-separated values; a flag with several values is an axis of the grid, a flag with
one value sets it for every run. --sigma-w and --sigma-b set the theory's knobs (variance-scaling kernel,
random normal bias). The table has one row per cell and seed: the cell, the axes, the seed and the outcomes.
"""
import argparse
import dataclasses
import os
import sys
import tempfile

from core.config import ConfigError, RunConfig, default_record_every
from core.outside_text import outside, plain
from core.sweep import cluster
from core.sweep.grid import NOT_SWEPT, THEORY_AXES, TooManyRuns, field_values, make_grid, parse_axis
from core.sweep.outcomes import DEFAULT_TARGET_LOSS

DEFAULTS = RunConfig()

HELP_EXTRA = {"sigma_w": "weight scale: variance-scaling kernel, Var(W) = S^2 / fan_in (instead of --initializer)",
              "sigma_b": "bias spread: random N(0, B^2) biases (instead of --bias-initializer)"}
SETS = {"sigma_w": "the kernel initializer of every run (variance scaling, Var(W) = S^2 / fan_in)",
        "sigma_b": "the bias initializer of every run (random N(0, B^2))"}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_parser(commands, run_help: dict):
    sweep = commands.add_parser(
        "sweep", help="run a grid of configurations on Dask and write one row per cell and seed",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for field in dataclasses.fields(RunConfig):
        if field.name not in NOT_SWEPT:
            shown = "" if field.name == "record_every" else f" (default: {getattr(DEFAULTS, field.name)})"
            sweep.add_argument(_flag(field.name), default=None, metavar="V[,V...]", help=run_help[field.name] + shown)
    for name, text in HELP_EXTRA.items():
        sweep.add_argument(_flag(name), default=None, metavar="S[,S...]", help=text)
    sweep.add_argument("--seed", default="0", metavar="N", help="the first seed (default: 0)")
    sweep.add_argument("--seeds", default="1", metavar="N", help="runs per cell, with seeds N, N+1, ... (default: 1)")
    sweep.add_argument("--cpu", action=argparse.BooleanOptionalAction, default=False, help=run_help["cpu"])
    sweep.add_argument("--target-loss", default=str(DEFAULT_TARGET_LOSS), metavar="L",
                       help=f"the loss whose first recorded step is steps_to_target (default: {DEFAULT_TARGET_LOSS})")
    sweep.add_argument("--out", required=True, metavar="FILE",
                       help="FILE.csv, FILE.parquet, or - for CSV on standard output")
    sweep.add_argument("--records", default=None, metavar="FOLDER",
                       help="also keep each run's whole record, as FOLDER/cell<C>-seed<S>.json (python -m core run's "
                            "format, which the Lab imports); without it the workers return only the outcomes")
    sweep.add_argument("--workers", default=None, metavar="N",
                       help=f"local worker processes, at most one per core (default: {cluster.WORKERS_VARIABLE}, else "
                            f"one per core; not used when {cluster.SCHEDULER_VARIABLE} names a cluster)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar on standard error")
    return sweep


def _whole(parser, flag: str, text: str, low: int = 1) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < low:
        parser.error(f"{flag} = {outside(text)} is not allowed: a whole number, at least {low}")
    return value


def _workers(parser, text):
    """The local workers to start, checked against the cores; None with a named scheduler (its cluster's own
    workers run the sweep)."""
    if cluster.scheduler_address():
        if text is not None:
            _whole(parser, "--workers", text)
            print(plain(f"note: --workers = {outside(text)} is not used: {cluster.SCHEDULER_VARIABLE} names a "
                        "cluster, whose own workers run the sweep"), file=sys.stderr)
        return None
    if text is None:
        try:
            return cluster.default_workers()
        except ValueError as error:  # the host's variable, refused before any process starts
            parser.error(str(error))
    try:
        value = int(text)
    except ValueError:
        value = 0
    if cluster.workers_problem(value):
        parser.error(f"--workers = {outside(text)} is not allowed: {cluster.workers_allowed()}")
    return value


def _both_given(parser, args, parsed: dict, axes: dict) -> None:
    """Refuse --initializer with --sigma-w (and --bias-initializer with --sigma-b): the sigma sets that
    initializer, and one would silently win over the other. Two axes are make_grid's own refusal."""
    for axis, field in THEORY_AXES.items():
        if axis in parsed and field in parsed and not (axis in axes and field in axes):
            parser.error(f"{_flag(field)} = {outside(getattr(args, field))} and {_flag(axis)} = "
                         f"{outside(getattr(args, axis))} cannot both be given: {_flag(axis)} sets {SETS[axis]}; "
                         f"give one of them")


def grid_from_args(args, argv: list, parser):
    """The Grid of the flags: several values make an axis (in the order given), one value the base."""
    given = [name for name in (*[f.name for f in dataclasses.fields(RunConfig) if f.name not in NOT_SWEPT],
                               *THEORY_AXES) if getattr(args, name) is not None]
    given.sort(key=lambda name: next((i for i, token in enumerate(argv) if token.split("=")[0] == _flag(name)), 0))
    try:
        parsed = {name: parse_axis(name, getattr(args, name)) for name in given}
        axes = {name: values for name, values in parsed.items() if len(values) > 1}
        single = {name: values[0] for name, values in parsed.items() if len(values) == 1}
        _both_given(parser, args, parsed, axes)
        fields = field_values(single)
        automatic = "record_every" not in fields and "record_every" not in axes  # the Lab's and `run`'s rule
        if automatic:
            fields["record_every"] = default_record_every(fields.get("steps", DEFAULTS.steps))
        base = RunConfig(**fields, seed=_whole(parser, "--seed", args.seed, 0), cpu=args.cpu)
        return make_grid(base, axes, _whole(parser, "--seeds", args.seeds),
                         record_every_follows_steps=automatic and "steps" in axes)
    except TooManyRuns as error:  # the count of runs, not one axis, is too large
        parser.error(str(error))
    except ConfigError as error:
        parser.error(f"{_flag(error.field)}: {error}")


def _target_loss(parser, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        parser.error(f"--target-loss = {outside(text)} is not allowed: a number, at least 0")
    return value


def main(args, parser, argv) -> int:
    from core.output_path import output_path_problem
    from core.sweep import table

    problem = table.format_problem(args.out) or output_path_problem(args.out)
    if problem:
        parser.error(f"--out: {outside(args.out)} {problem}")
    if args.records is not None and not (os.path.isdir(args.records) and os.access(args.records, os.W_OK)):
        parser.error(f"--records: {outside(args.records)} is not a writable folder; an existing, writable folder is "
                     "allowed")
    grid = grid_from_args(args, argv, parser)
    target_loss = _target_loss(parser, args.target_loss)
    workers = _workers(parser, args.workers)
    sweep = _run(grid, target_loss, workers, args.quiet, keep_records=args.records is not None)
    frame = table.frame(sweep.finished_rows(), grid.names)
    failed = frame[frame["status"] == "error"]
    try:
        table.write(frame, args.out, sys.stdout)
    except OSError as error:  # the folder went away while the sweep ran: keep the table
        kept = os.path.join(tempfile.gettempdir(), f"gradflow-sweep-{os.getpid()}.csv")
        table.write(frame, kept)
        print(plain(f"--out: {outside(args.out)} could not be written ({error.strerror}); the table is kept in "
                    f"{kept}"), file=sys.stderr)
        return 1
    if not args.quiet and args.out != "-":
        print(plain(f"wrote {outside(args.out)} ({len(frame)} rows: {grid.cell_count} cells × {grid.seeds} seeds)"),
              file=sys.stderr)
    if args.records is not None:  # after the table, so a folder gone bad loses only the records
        try:
            _write_records(sweep, args.records)
        except OSError as error:
            print(plain(f"--records: {outside(args.records)} could not be written ({error.strerror}); the table "
                        "was written"), file=sys.stderr)
            return 1
    if len(failed):
        print(f"{len(failed)} runs failed; their rows have status 'error'", file=sys.stderr)
        return 1
    return 0


def _write_records(sweep, folder: str) -> None:
    """Each finished run's record as FOLDER/cell<C>-seed<S>.json (the records came back from the workers)."""
    for run, summary in zip(sweep.runs, sweep.summaries):
        if summary is not None and "record" in summary:
            with open(os.path.join(folder, f"cell{run.cell}-seed{run.seed}.json"), "w") as out:
                out.write(summary["record"])


def _run(grid, target_loss: float, workers, quiet: bool, keep_records: bool = False):
    """Run the sweep on Dask with a progress bar on standard error; the finished Sweep (its rows in the
    grid's order)."""
    from tqdm import tqdm

    from core.sweep.execute import Sweep

    client, local = cluster.connect(workers)
    sweep = None
    try:
        sweep = Sweep(client, grid, target_loss, keep_records=keep_records)
        with tqdm(total=sweep.total, unit="run", file=sys.stderr, disable=quiet, dynamic_ncols=True,
                  desc=f"sweep on {cluster.describe(client)}") as bar:
            sweep.wait(lambda row: bar.update(1))
        return sweep
    except KeyboardInterrupt:
        if sweep is not None:
            sweep.cancel()
        raise
    finally:
        client.close()
        if local is not None:
            local.close()
