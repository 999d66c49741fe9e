"""Lesson links: a configuration (the Lab) or a comparison (Compare) in a URL's query parameters.

The parameter names are the RunConfig field names, which are also the CLI's flags (--learning-rate is
learning_rate=). The first run's fields are plain; runs 2 to 4 of a comparison write only the fields that
differ from run 1, as run2.activation=relu. preset= names a lesson preset, runs= how many runs a comparison
has, run= which run of a preset the Lab shows, lock= and hide= list the fields whose controls are disabled
or hidden.

Links are untrusted input. Every value goes through core.config.parse_value and RunConfig's validation (with
the host's limits); a bad one gives a message naming the parameter and falls back to a safe value. Reading a
link never raises.
"""
import dataclasses
import json
from dataclasses import dataclass, field

from core.config import ConfigError, RunConfig, default_record_every, is_upload, parse_value
from core.engine.upload_store import STORE, UploadGone
from core.limits import current_limits
from core.lessons.presets import BY_NAME
from core.outside_text import outside

FIELDS = tuple(f.name for f in dataclasses.fields(RunConfig))
MAX_RUNS = 4
MAX_VALUE_LENGTH = 2000  # characters; a Keras config dict is far shorter
PAGE_PARAMETERS = ("preset", "runs", "run", "lock", "hide")
IGNORED = ("embed", "embed_options")  # Streamlit's own


@dataclass(frozen=True)
class Lesson:
    configs: tuple  # one RunConfig for the Lab, two to four for Compare
    preset: str | None = None
    run: int = 1  # which run of the preset the Lab shows (1-based)
    lock: frozenset = field(default_factory=frozenset)
    hide: frozenset = field(default_factory=frozenset)


def safe_default() -> RunConfig:
    """RunConfig's defaults, brought within the host's limits (a host may set a limit below a default)."""
    limits = current_limits()
    values = {f.name: f.default for f in dataclasses.fields(RunConfig)}
    for name in ("samples", "input_dim", "depth", "width", "batch_size", "steps"):
        values[name] = min(values[name], getattr(limits, name))
    # The pages' rule for record_every (a link without it then gets no message about it).
    values["record_every"] = max(default_record_every(values["steps"]),
                                 -(-values["steps"] // max(limits.recorded_steps - 2, 1)))
    return RunConfig(**values)


def encode(value) -> str:
    """The text of one value: JSON for config dicts, repr for floats (exact round trip)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def lesson_params(lesson: Lesson) -> dict:
    """The query parameters of a lesson: everything needed to restore it exactly."""
    first = lesson.configs[0]
    params = {name: encode(getattr(first, name)) for name in FIELDS}
    for number, config in enumerate(lesson.configs[1:], start=2):
        for name in FIELDS:
            if getattr(config, name) != getattr(first, name):
                params[f"run{number}.{name}"] = encode(getattr(config, name))
    if len(lesson.configs) > 1:
        params["runs"] = str(len(lesson.configs))
    if lesson.preset:
        params["preset"] = lesson.preset
        if len(lesson.configs) == 1:
            params["run"] = str(lesson.run)
    if lesson.lock:
        params["lock"] = ",".join(sorted(lesson.lock))
    if lesson.hide:
        params["hide"] = ",".join(sorted(lesson.hide))
    return params


def _config(params: dict, prefix: str, base: RunConfig, messages: list) -> RunConfig:
    """base with the link's fields (named prefix + field) applied; bad values fall back, with a message."""
    values = base.to_dict()
    given = {}
    for name in FIELDS:
        key = prefix + name
        if key not in params:
            continue
        text = str(params[key])
        if len(text) > MAX_VALUE_LENGTH:
            messages.append(f"Link parameter {key} is {len(text)} characters long (at most {MAX_VALUE_LENGTH}); "
                            f"using {outside(encode(values[name]))}.")
            continue
        try:
            value = parse_value(name, text)
            if name == "dataset" and is_upload(value) and value not in STORE:
                messages.append(f"Link parameter {key}: {UploadGone(value)}; using {outside(encode(values[name]))}.")
                continue
            # the field with the link's fields so far (record_every against the link's steps, not the base's),
            # against the host's limits
            RunConfig(**{**values, name: value})
        except ConfigError as error:
            if error.field == name:
                messages.append(f"Link parameter {key}: {error}; using {outside(encode(values[name]))}.")
                continue
            # Only valid together with other fields (record_every against steps): checked below.
        values[name] = given[name] = value
    if "steps" in given and "record_every" not in given:
        values["record_every"] = default_record_every(values["steps"])  # the pages' rule for a link without it
    for _ in range(len(FIELDS)):
        try:
            return RunConfig(**values)
        except ConfigError as error:
            name = error.field
            fallback = default_record_every(values["steps"]) if name == "record_every" else getattr(base, name)
            if values[name] == fallback:
                break
            messages.append(f"Link parameter {prefix + name}: {error}; using {outside(encode(fallback))}.")
            values[name] = fallback
    messages.append(f"The link's run{'' if not prefix else ' ' + prefix[3:-1]} settings do not fit together; "
                    "using the defaults.")
    return base


def _names(params, key, messages) -> frozenset:
    text = str(params.get(key, ""))[:MAX_VALUE_LENGTH]
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(names - set(FIELDS))
    if unknown:
        messages.append(f"Link parameter {key}: {', '.join(map(outside, unknown))} {'is not a field' if len(unknown) == 1 else 'are not fields'}"
                        f" (fields are {', '.join(FIELDS)}); ignored.")
    return frozenset(names & set(FIELDS))


def _count(params, key, low, high, default, messages) -> int:
    if key not in params:
        return default
    text = str(params[key])[:MAX_VALUE_LENGTH]
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        messages.append(f"Link parameter {key} = {outside(text)} is not allowed: an integer from {low} to {high}; using {default}.")
        return default
    return value


def read_lesson(params: dict, comparison: bool = False, base: RunConfig | None = None) -> tuple:
    """(Lesson, messages) from query parameters; never raises. comparison: read runs for Compare."""
    base = base or safe_default()
    messages = []
    params = {str(key): value for key, value in params.items()}
    known = set(FIELDS) | set(PAGE_PARAMETERS) | set(IGNORED)
    known |= {f"run{n}.{name}" for n in range(2, MAX_RUNS + 1) for name in FIELDS} if comparison else set()
    for key in sorted(set(params) - known)[:10]:
        messages.append(f"Link parameter {outside(key)} is unknown on this page; ignored.")

    preset = None
    if "preset" in params:
        name = str(params["preset"])
        if name in BY_NAME:
            preset = BY_NAME[name]
        else:
            messages.append(f"Link parameter preset = {outside(name)} is not a preset (presets are {', '.join(BY_NAME)}); ignored.")
    run = _count(params, "run", 1, len(preset.runs) if preset else 1, 1, messages) if not comparison else 1
    default_count = len(preset.runs) if preset else (2 if comparison else 1)
    count = _count(params, "runs", 2, MAX_RUNS, default_count, messages) if comparison else 1
    try:
        preset_configs = preset.configs if preset is not None else None
    except ConfigError as error:
        messages.append(f"Link parameter preset = {preset.name} does not fit this host: {error}; ignored.")
        preset = preset_configs = None
    if preset is not None:
        bases = list(preset_configs) if comparison else [preset_configs[run - 1]]
    else:
        bases = [base]
    bases = (bases + [bases[-1]] * MAX_RUNS)[:count]

    first = _config(params, "", bases[0], messages)
    configs = [first]
    for number in range(2, count + 1):
        # Runs 2..4 start from the preset's run (or run 1), with run 1's explicit fields, then their own.
        start = bases[number - 1] if preset is not None else first
        shared = {name: getattr(first, name) for name in FIELDS if name in params}
        try:
            start = start.replace(**shared)
        except ConfigError:
            pass
        configs.append(_config(params, f"run{number}.", start, messages))
    lesson = Lesson(configs=tuple(configs), preset=preset.name if preset else None, run=run,
                    lock=_names(params, "lock", messages), hide=_names(params, "hide", messages))
    return lesson, messages
