"""The Lab's views, drawn from one record snapshot (so no view ever mixes two frames)."""
import time

import altair as alt
import pandas as pd
import streamlit as st

from core import charts
from core.config import TWO_D_DATASETS
from core.diagnosis import THRESHOLDS, diagnose
from ui.session import data_points

VERDICT_STYLE = {"healthy": st.success, "diverged": st.error, "exploding": st.error}


def show(chart, width="stretch"):
    # Validation runs in the tests (tests/test_charts.py); skipping it here halves the cost of a redraw.
    st.vega_lite_chart(chart if isinstance(chart, dict) else chart.to_dict(validate=False), width=width)


@st.cache_resource(max_entries=64)
def histogram_template(depth: int, kind: str) -> dict:
    """The histogram panels' spec without rows: it depends only on the depth and the kind, so it is made
    once per server and each frame only sends new rows."""
    return charts.histogram_panels(alt.Data(name="rows"), depth, charts.HISTOGRAM_TITLES[kind]).to_dict(validate=False)


def histograms(record, step, kind):
    rows = charts.histogram_rows(record, step, kind)
    show({**histogram_template(len(record.layers), kind), "datasets": {"rows": rows.to_dict("records")}})


def boundary_spec(record, config, step, live=False) -> dict:
    """The data view changes only at the ~30 steps where the boundary was sampled: keep their specs
    for this run (in this session), so scrubbing between them costs nothing. While training, a new sample
    is drawn at most once a second."""
    steps = record.boundary["steps"] if record.boundary else []
    sampled = max([s for s in steps if s <= step] or steps[:1] or [0])
    memo = st.session_state.setdefault("lab_boundary_specs", {})
    key = (config.key(), sampled)
    last = st.session_state.get("lab_boundary_last")
    if live and key not in memo and last and last[0] == key[0] and time.monotonic() - last[2] < 1.0:
        key = last[:2]
    if key not in memo:
        st.session_state["lab_boundary_last"] = (*key, time.monotonic())
        if len(memo) > 64 or any(k[0] != key[0] for k in memo):
            memo.clear()
        points = pd.DataFrame(data_points(config.key()))
        memo[key] = charts.data_and_boundary(record, points, step, height=260).to_dict(validate=False)
    return memo[key]


def diagnosis(record, step):
    for verdict in diagnose(record, step):
        draw = VERDICT_STYLE.get(verdict.kind, st.warning)
        draw(f"**{verdict.headline}.** {verdict.explanation}")
    st.caption(THRESHOLDS)


def at_step(record, step, config, live=False):
    """Views of one recorded step: the gradient profile, the data, and the per-layer histograms."""
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Gradient flow by layer** — the classic vanishing picture")
        show(charts.gradient_profile(record, step, height=260))
    with right:
        if config.dataset in TWO_D_DATASETS:
            st.markdown("**Data**")
            show(boundary_spec(record, config, step, live))
        else:
            st.markdown(f"**Data** — {config.dataset} has {config.input_dim if config.dataset == 'gaussian' else 64} "
                        "inputs, so there is no 2-D picture of it.")
    st.markdown("#### Activations")
    kind = st.radio("histogram of", ["activation", "delta"], key="lab_histogram_kind", horizontal=True,
                    format_func=lambda k: "activations a" if k == "activation" else "back-propagated ∂loss/∂z",
                    help="Activations show saturation and zeros; ∂loss/∂z shows how much signal reaches each layer.")
    histograms(record, step, kind)
    if len(record.layers) > 10:
        st.caption(f"Showing 10 of {len(record.layers)} layers, evenly spread from input to output.")


def over_time(record):
    """Views over the recorded steps: gradient norms, sparsity and training."""
    st.markdown("#### Gradient flow over training")
    log = st.toggle("log axis", value=True, key="lab_log_axis", help="Gradients span many orders of magnitude; "
                    "the log axis shows them all at once.")
    left, right = st.columns(2)
    with left:
        show(charts.metric_lines(record, "grad_norm", "grad_norm (‖∂loss/∂W‖)", log=log))
    with right:
        show(charts.grad_norm_heatmap(record))
    st.markdown("#### Sparsity, dead units and saturation")
    columns = st.columns([1, 1, 1.3])
    for column, metric in zip(columns, ("sparsity", "dead_fraction", "saturation")):
        with column:
            show(charts.sparsity_lines(record, metric, legend=metric == "saturation"))
    st.markdown("#### Training")
    loss, accuracy, ratio = st.columns([1, 1, 1.3])
    with loss:
        show(charts.training_curve(record, "loss"))
    with accuracy:
        show(charts.training_curve(record, "accuracy"))
    with ratio:
        show(charts.metric_lines(record, "update_ratio", "‖ΔW‖ / ‖W‖", log=True, guide=1e-3, height=200)
             .properties(title="update-to-weight ratio (guide: 1e-3)"))


def empty_chart_note(status):
    st.info("Waiting for a free trainer: the server is busy with other runs." if status == "queued"
            else "Starting the run…")


alt.data_transformers.disable_max_rows()
