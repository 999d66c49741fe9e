"""The Lab's views: drawn once with the page, then filled by the page's script from the run's stream.

Each view is a live chart (ui/live/charts.py) whose spec depends on the run's shape and the view's options
only. While the run trains, its browser appends each new recorded step; afterwards the same views replay
every recorded step, chosen by the step bar. Live, paused and replay keep the same elements in the same
places, so the page never jumps."""
import altair as alt
import streamlit as st

from core import charts
from core.charts import live_views
from core.engine.datasets import input_dim_of, is_two_d
from ui.live.charts import chart
from ui.session import data_points
from ui.controls.upload import data_title

PROFILE_HEIGHT = 260
SMOOTHING_DEFAULT = 0.6


def show(figure: charts.Figure):
    """How a page draws a chart that is not streamed: the figure's spec with its rows as named datasets."""
    st.vega_lite_chart({**figure.spec, "datasets": dict(figure.data)}, width="stretch")


def no_picture_note(config) -> str:
    """Why the Data view has no picture of these data."""
    dim = input_dim_of(config)
    if dim is None:
        return f"**Data** — {config.dataset} is no longer on this server: upload the CSV again."
    name = "your CSV" if config.dataset.startswith("upload:") else config.dataset
    return f"**Data** — {name} has {dim} input{'s' if dim != 1 else ''}, so there is no 2-D picture of it."


def at_step(config, watched: bool = True):
    """The views of one recorded step, chosen by the step bar: the gradient profile, the data, the histograms.
    `watched`: the run samples its decision boundary (a saved run may have none)."""
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Gradient flow by layer** — the classic vanishing picture")
        chart(live_views.profile(config.depth, PROFILE_HEIGHT), "lab_chart_profile")
    with right:
        if is_two_d(config):
            st.markdown(data_title(config))
            points, classes = data_points(config.key())
            chart(live_views.boundary(points, watched, classes, PROFILE_HEIGHT), "lab_chart_boundary")
        else:
            st.markdown(no_picture_note(config))
    st.markdown("#### Activations")
    kind = st.radio("histogram of", ["activation", "delta"], key="lab_histogram_kind", horizontal=True,
                    format_func=lambda k: "activations a" if k == "activation" else "back-propagated ∂loss/∂z",
                    help="Activations show saturation and zeros; ∂loss/∂z shows how much signal reaches each layer.")
    chart(live_views.histograms(config.depth, kind), "lab_chart_histograms")
    if config.depth > 10:
        st.caption(f"Showing 10 of {config.depth} layers, evenly spread from input to output.")


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


def over_time(config):
    """Views over the recorded steps: gradient norms, sparsity and training."""
    st.markdown("#### Gradient flow over training")
    smoothing = smoothing_controls()
    log = st.session_state["lab_log_axis"]
    depth, total = config.depth, config.steps
    left, right = st.columns(2)
    with left:
        chart(live_views.lines(depth, total, "grad_norm", "grad_norm (‖∂loss/∂W‖)", log=log,
                               smoothing=smoothing), "lab_chart_grad_norm")
    with right:
        chart(live_views.heatmap(total), "lab_chart_heatmap")
    st.markdown("#### Sparsity, dead units and saturation")
    columns = st.columns([1, 1, 1.3])
    for column, metric in zip(columns, ("sparsity", "dead_fraction", "saturation")):
        with column:
            chart(live_views.sparsity(depth, total, metric, legend=metric == "saturation",
                                      smoothing=smoothing), f"lab_chart_{metric}")
    st.markdown("#### Training")
    loss, accuracy, ratio = st.columns([1, 1, 1.3])
    with loss:
        chart(live_views.curve(total, "loss", smoothing=smoothing), "lab_chart_loss")
    with accuracy:
        chart(live_views.curve(total, "accuracy", smoothing=smoothing), "lab_chart_accuracy")
    with ratio:
        chart(live_views.lines(depth, total, "update_ratio", "‖ΔW‖ / ‖W‖", log=True, guide=1e-3,
                               height=200, smoothing=smoothing,
                               chart_title="update-to-weight ratio (guide: 1e-3)"),
              "lab_chart_update_ratio")


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
