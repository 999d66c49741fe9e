"""Command line: `python -m core run --depth 20 --activation relu --out run.json`."""
import argparse
import dataclasses
import os
import sys
import tempfile

from tqdm import tqdm

from core.config import ConfigError, RunConfig, default_record_every, is_upload, parse_value
from core.knobs import DATASETS, KNOBS, help_text
from core.limits import LIMIT_VARIABLES
from core.output_path import output_path_problem
from core.outside_text import plain
from core.sweep import cli as sweep_cli
from core.theory import cli as theory_cli

DEFAULTS = RunConfig()

HELP = {knob.name: help_text(knob) for knob in KNOBS}  # core/knobs.py: one sentence per knob


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {plain(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    limits = "\n".join(f"  {variable:<30} limit on {field} (default {default})" for field, (variable, default) in LIMIT_VARIABLES.items())
    parser = _Parser(
        prog="python -m core",
        description="Gradient Flow Explorer engine: train an instrumented MLP and write its run record (JSON).",
        epilog=f"Host limits, set by environment variables:\n{limits}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="train one configuration and write its run record")
    for field in dataclasses.fields(RunConfig):
        flag = "--" + field.name.replace("_", "-")
        default = getattr(DEFAULTS, field.name)
        if field.type is bool:
            run.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=f"{HELP[field.name]} (default: {default})")
        else:
            shown = "" if field.name == "record_every" else f" (default: {default})"  # it follows --steps
            run.add_argument(flag, default=None, metavar=field.name.upper(), help=HELP[field.name] + shown)
    run.add_argument("--out", default="-", metavar="FILE", help="where to write the record; - is standard output")
    run.add_argument("--quiet", action="store_true", help="no progress on standard error")
    run.add_argument("--keras", default=None, metavar="FILE.keras",
                     help="also save the trained network as a Keras model (load it with keras.models.load_model)")
    theory_cli.add_parser(commands)
    sweep_cli.add_parser(commands, HELP)
    return parser


def config_from_args(args) -> RunConfig:
    values = {}
    for field in dataclasses.fields(RunConfig):
        value = getattr(args, field.name)
        if value is None:
            continue
        values[field.name] = value if isinstance(value, bool) else parse_value(field.name, value)
    if "record_every" not in values:  # the Lab's rule, so long runs stay within the host's recorded steps
        values["record_every"] = default_record_every(values.get("steps", DEFAULTS.steps))
    if is_upload(values.get("dataset")):  # a CSV uploaded to a running server; this process has none
        raise ConfigError("dataset", values["dataset"], f"one of {', '.join(DATASETS)} (an upload:<hash> names a "
                          "CSV uploaded to a running server, which the command line cannot see)")
    return RunConfig(**values)


def keras_path_problem(path: str) -> str | None:
    if path == "-" or not path.endswith(".keras"):
        return "is not a file name ending in .keras; a path like model.keras is allowed"
    return output_path_problem(path)


def main(argv=None, pool=None) -> int:
    """Run the command line; `pool` lets a caller (the tests) share traced trainers between calls."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "theory":
        return theory_cli.main(args, parser)
    if args.command == "sweep":
        return sweep_cli.main(args, parser, sys.argv[1:] if argv is None else argv)
    try:
        config = config_from_args(args)
    except ConfigError as error:
        flag = "--" + error.field.replace("_", "-")
        parser.error(f"{flag}: {error}")
    problem = output_path_problem(args.out)
    if problem:
        parser.error(f"--out: {args.out!r} {problem}")
    if args.keras is not None:
        problem = keras_path_problem(args.keras)
        if problem:
            parser.error(f"--keras: {args.keras!r} {problem}")
    from core.engine.run import train

    record = None
    with tqdm(total=config.steps, file=sys.stderr, disable=args.quiet, dynamic_ncols=True,
              bar_format="step {n_fmt}/{total_fmt} |{bar}| {elapsed}<{remaining}{postfix}") as bar:
        for record in train(config, pool):
            bar.update((record.steps[-1] if record.steps else 0) - bar.n)
            bar.set_postfix(loss=f"{record.loss[-1]:.4g}", accuracy=f"{record.accuracy[-1]:.3f}", refresh=False)
    if not args.quiet:
        if record.diverged_at is not None:
            print(f"diverged at step {record.diverged_at}: the loss became non-finite", file=sys.stderr)
    status = 0
    if args.keras is not None:
        from core.export.keras_model import save_keras

        try:
            save_keras(record, args.keras)
        except (ValueError, OSError) as error:  # no weights kept, or the disk went away: the record still goes out
            print(f"--keras: {args.keras!r} was not written: {error}", file=sys.stderr)
            status = 1
        else:
            if not args.quiet:
                print(f"wrote {args.keras} (the trained network; keras.models.load_model reads it)", file=sys.stderr)
    text = record.to_json()
    if args.out == "-":
        sys.stdout.write(text + "\n")
    else:
        try:
            with open(args.out, "w") as handle:
                handle.write(text)
        except OSError as error:  # the disk filled up or the folder went away while training: keep the run
            kept = os.path.join(tempfile.gettempdir(), f"gradflow-run-{os.getpid()}.json")
            with open(kept, "w") as handle:
                handle.write(text)
            print(f"--out: {args.out!r} could not be written ({error.strerror}); the record is kept in {kept}",
                  file=sys.stderr)
            return 1
        if not args.quiet:
            print(f"wrote {args.out} ({record.status}, {len(record.steps)} recorded steps, {record.device})", file=sys.stderr)
    return status
