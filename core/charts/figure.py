"""The one way the app draws a chart: a Figure is a Vega-Lite spec without rows, plus its rows by name.

The spec depends only on the run's shape (depth, steps, view options), never on the values, so it stays
byte-identical from frame to frame of a run: the browser keeps its Vega view and swaps only the rows.
Replay figures carry every recorded step and a `step_index` parameter bound to the page's step input
(STEP_INPUT), so scrubbing and Play select the step in the browser without asking the server.
"""
import hashlib
import json
from dataclasses import dataclass, field

import pandas as pd

STEP_INPUT = "#gfe-step"  # the range input the page draws above the charts (ui/lab/step_bar.py)
STEP_PARAM = "step_index"  # the index in record.steps of the selected step
STEP = "replay_step"  # the selected step itself
# Replay rows hold one column per recorded step ("s0", "s1", ...): selecting a step reads one column of a
# few rows, instead of filtering every recorded step's rows (Streamlit's Vega interprets expressions, so
# each row an expression touches costs microseconds on every scrub).


def at_step(prefix: str) -> str:
    """The expression that reads the selected step's column of a replay row."""
    return f"datum['{prefix}' + toNumber({STEP_PARAM})]"


def step_columns(prefix: str, values) -> dict:
    """{prefix + index: column} for a [row, recorded step] array."""
    return {f"{prefix}{i}": values[:, i] for i in range(values.shape[1])}


@dataclass(frozen=True)
class Figure:
    spec: dict  # Vega-Lite without rows; shared and cached, so never mutate it
    data: dict = field(default_factory=dict)  # dataset name -> DataFrame

    def to_vega_lite(self) -> dict:
        """A self-contained spec with inline rows (for validation, export and tests)."""
        return {**self.spec, "datasets": {name: _records(frame) for name, frame in self.data.items()}}


def _records(frame: pd.DataFrame) -> list:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def step_param(last_index: int) -> dict:
    """The replay parameter: the index of the selected recorded step, read from the page's step input."""
    return {"name": STEP_PARAM, "value": last_index, "bind": {"element": STEP_INPUT}}


def replay_token(record) -> str:
    """Tells the browser which step input a replay figure belongs to: the figure is embedded again (and so
    bound again) exactly when the page draws a new step input, i.e. for a new run or more recorded steps."""
    config = hashlib.sha1(json.dumps(record.config, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{config}:{len(record.steps)}:{record.status}"


CANVAS = {"embedOptions": {"renderer": "canvas"}}  # Streamlit reads usermeta.embedOptions


def finish(spec: dict, record, replay: bool, svg: bool = False, params=()) -> dict:
    """Draw on a canvas (a thousand SVG nodes per frame kept the browser busy for hundreds of ms), and for
    replay add the parameter bound to the step input, and the selected step (STEP) read from it."""
    usermeta = {} if svg else dict(CANVAS)
    spec = {**spec, "config": {**spec.get("config", {}), "aria": False}}
    if not replay:
        return {**spec, "usermeta": usermeta} if usermeta else spec
    steps = {"name": STEP, "expr": f"{json.dumps(list(record.steps))}[toNumber({STEP_PARAM})]"}
    return {**spec, "params": [*spec.get("params", []), step_param(len(record.steps) - 1), steps, *params],
            "usermeta": {**usermeta, "replay": replay_token(record)}}


def from_altair(chart) -> Figure:
    """An Altair chart whose data is one DataFrame, as a Figure: the rows move out of the spec into the
    dataset "rows", so every page draws through the same path (ui/views.show)."""
    import altair as alt

    rows = chart.data
    spec = chart.properties(data=alt.Data(name="rows")).to_dict(validate=False)
    return Figure(spec=spec, data={"rows": rows})
