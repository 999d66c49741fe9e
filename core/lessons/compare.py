"""What differs between the configurations of a comparison, as a table a student can read."""
import json
import re

import pandas as pd

from core.lessons.links import FIELDS
from core.outside_text import outside

SIMPLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+\-]*[A-Za-z0-9]|[A-Za-z0-9]")  # no Markdown can start or end here


def _part(text: str) -> str:
    """A value in a run's label; one that is not a plain name or number (a Keras config dict from a link) is
    outside text."""
    return text if SIMPLE.fullmatch(text) else outside(text)


def _text(value) -> str:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value)


def differences(configs, labels) -> pd.DataFrame:
    """One row per RunConfig field whose value is not the same in every run; one column per run."""
    rows = {}
    for name in FIELDS:
        values = [getattr(config, name) for config in configs]
        if any(value != values[0] for value in values[1:]):
            rows[name] = [_text(value) for value in values]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(labels)).rename_axis("field")


def run_labels(configs, preset=None) -> list:
    """'1 · sigmoid, Glorot' for a preset's runs, else '1 · ' and what sets the run apart."""
    if preset is not None:
        return [f"{number} · {label}" for number, label in enumerate(preset.labels, start=1)]
    table = differences(configs, [str(n) for n in range(len(configs))])
    labels = []
    for number, column in enumerate(table.columns, start=1):
        parts = [_part(str(table.loc[field, column])[:24]) for field in table.index[:2]]
        labels.append(f"{number} · " + (", ".join(parts) if parts else "same as run 1"))
    return labels
