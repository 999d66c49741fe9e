"""The Lab's views, drawn from one record snapshot (so no view ever mixes two frames).

Live views get the rows of the latest step; replay views get every recorded step once, and the step bar's
input selects the step in the browser. Both keep the same elements in the same places, so the page never
jumps between live, paused and replay."""
import altair as alt
import streamlit as st

from core import charts
from core.engine.datasets import input_dim_of, is_two_d
from ui.session import data_points
from ui.step_bar import step_bar
from ui.upload_controls import data_title

PROFILE_HEIGHT = 260
SMOOTHING_DEFAULT = 0.6


def show(figure: charts.Figure):
    """The one way a page draws a chart: the figure's spec, unchanged between frames, with its rows as named
    datasets (sent as Arrow). The browser then swaps the rows in place instead of building the chart again."""
    st.vega_lite_chart({**figure.spec, "datasets": dict(figure.data)}, width="stretch")


def figure(record, live: bool, name: str, build, *args, **options) -> charts.Figure:
    """Replay figures hold every step, so they are built once per run (and view option) and kept for this
    session; live figures hold one step and are built every frame."""
    if live:
        return build(record, *args, **options)
    memo = st.session_state.get("lab_figures")
    token = charts.replay_token(record)
    if memo is None or memo["token"] != token or len(memo) > 64:  # bounded: a new run or many view options
        memo = st.session_state["lab_figures"] = {"token": token}
    key = (name, args, tuple(sorted(options.items())))
    if key not in memo:
        memo[key] = build(record, *args, replay=True, **options)
    return memo[key]


def _boundary(record, points_key, **options):
    rows, classes = data_points(points_key)
    return charts.data_and_boundary(record, rows, classes=classes, **options)


def no_picture_note(config) -> str:
    """Why the Data view has no picture of these data."""
    dim = input_dim_of(config)
    if dim is None:
        return f"**Data** — {config.dataset} is no longer on this server: upload the CSV again."
    name = "your CSV" if config.dataset.startswith("upload:") else config.dataset
    return f"**Data** — {name} has {dim} input{'s' if dim != 1 else ''}, so there is no 2-D picture of it."


def at_step(record, config, live: bool):
    """The step bar, and the views of one recorded step: the gradient profile, the data, the histograms."""
    step_bar(record, config.steps, live)
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Gradient flow by layer** — the classic vanishing picture")
        show(figure(record, live, "profile", charts.gradient_profile, height=PROFILE_HEIGHT))
    with right:
        if is_two_d(config):
            st.markdown(data_title(config))
            show(figure(record, live, "boundary", _boundary, config.key(), height=PROFILE_HEIGHT))
        else:
            st.markdown(no_picture_note(config))
    st.markdown("#### Activations")
    kind = st.radio("histogram of", ["activation", "delta"], key="lab_histogram_kind", horizontal=True,
                    format_func=lambda k: "activations a" if k == "activation" else "back-propagated ∂loss/∂z",
                    help="Activations show saturation and zeros; ∂loss/∂z shows how much signal reaches each layer.")
    show(figure(record, live, "histograms", charts.histograms, kind))
    if len(record.layers) > 10:
        st.caption(f"Showing 10 of {len(record.layers)} layers, evenly spread from input to output.")


def smoothing_controls() -> float:
    log_column, smooth_column, weight_column = st.columns([1, 1, 2])
    log_column.toggle("log axis", value=True, key="lab_log_axis", help="Gradients span many orders of magnitude; "
                      "the log axis shows them all at once.")
    smooth = smooth_column.toggle("smooth", value=True, key="lab_smooth",
                                  help="Each step has its own minibatch, so per-step curves are noisy. Smoothing "
                                       "draws their exponential moving average (as TensorBoard does); turn it off "
                                       "for the raw values.")
    weight = weight_column.slider("smoothing", 0.0, 0.99, SMOOTHING_DEFAULT, 0.01, key="lab_smoothing",
                                  disabled=not smooth, label_visibility="collapsed",
                                  help="Weight of the moving average: 0 draws the raw values, 0.99 is smoothest.")
    return weight if smooth else 0.0


def over_time(record, live: bool):
    """Views over the recorded steps: gradient norms, sparsity and training."""
    st.markdown("#### Gradient flow over training")
    smoothing = smoothing_controls()
    log = st.session_state["lab_log_axis"]
    left, right = st.columns(2)
    with left:
        show(figure(record, live, "grad_norm", charts.metric_lines, "grad_norm", "grad_norm (‖∂loss/∂W‖)",
                    log=log, smoothing=smoothing))
    with right:
        show(figure(record, live, "heat map", charts.grad_norm_heatmap))
    st.markdown("#### Sparsity, dead units and saturation")
    columns = st.columns([1, 1, 1.3])
    for column, metric in zip(columns, ("sparsity", "dead_fraction", "saturation")):
        with column:
            show(figure(record, live, metric, charts.sparsity_lines, metric, legend=metric == "saturation",
                        smoothing=smoothing))
    st.markdown("#### Training")
    loss, accuracy, ratio = st.columns([1, 1, 1.3])
    with loss:
        show(figure(record, live, "loss", charts.training_curve, "loss", smoothing=smoothing))
    with accuracy:
        show(figure(record, live, "accuracy", charts.training_curve, "accuracy", smoothing=smoothing))
    with ratio:
        show(figure(record, live, "update ratio", charts.metric_lines, "update_ratio", "‖ΔW‖ / ‖W‖", log=True,
                    guide=1e-3, height=200, smoothing=smoothing,
                    chart_title="update-to-weight ratio (guide: 1e-3)"))


def queue_text(position: int, slots: int) -> str:
    """Where a waiting run stands: '2nd in line for the server's 2 training slots'."""
    suffix = "th" if 10 <= position % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(position % 10, "th")
    return f"{position}{suffix} in line for the server's {slots} training slot{'s' if slots != 1 else ''}"


def empty_chart_note(status):
    if status == "failed":
        return  # the page says why above; "Starting the run…" would wait forever
    st.info("Waiting for a free trainer: the server is busy with other runs." if status == "queued"
            else "Starting the run…")


alt.data_transformers.disable_max_rows()
