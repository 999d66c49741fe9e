"""Compare's views, drawn from one snapshot of every run (so no view mixes two frames)."""
import streamlit as st

from core import charts
from core.charts import compare as compare_charts
from core.diagnosis import diagnose
from core.lessons.compare import differences
from core.outside_text import outside, plain
from ui import text as page_text
from ui.text import markdown
from ui.views import queue_text, show

# Run labels may hold outside text (a saved run's file name): Markdown on the page, plain in charts and tables.

# How each kind of verdict is drawn (the Lab's step bar colours them the same way).
VERDICT_STYLE = {"healthy": st.success, "diverged": st.error, "exploding": st.error}


def status(runs, labels, configs):
    for column, run, label, config in zip(st.columns(len(runs)), runs, labels, configs):
        record = run.snapshot
        done = record.steps[-1] if record and record.steps else 0
        text = f"{label} · {run.status} · step {done} of {config.steps}"
        position = run.queue_position
        if position:
            text += f" · {queue_text(position, run.server.slots)}"
        if record is not None and record.diverged_at is not None:
            text += f" · diverged at step {record.diverged_at}"
        column.progress(done / config.steps if config.steps else 1.0, text=markdown(text))
        if run.error:
            column.error(markdown(f"The run failed: {outside(run.error)}."))


def difference_table(configs, labels):
    table = differences(configs, [plain(label) for label in labels])
    if table.empty:
        st.caption("The runs have identical configurations.")
    else:
        st.dataframe(table, width="stretch")


def diagnoses(records, labels, step):
    for column, record, label in zip(st.columns(len(records)), records, labels):
        with column:
            st.markdown(markdown(f"**{label}**"))
            for verdict in diagnose(record, step) if record.steps else []:
                VERDICT_STYLE.get(verdict.kind, st.warning)(f"**{verdict.headline}.**")


def profiles(records, labels, step):
    show(compare_charts.profiles_overlaid(records, [plain(label) for label in labels], step))
    for label, layers in compare_charts.exact_zeros(records, labels, step):
        where = f"layers {layers[0]} to {layers[-1]}" if len(layers) > 2 and layers == list(range(layers[0], layers[-1] + 1)) \
            else "layer" + ("s " if len(layers) > 1 else " ") + ", ".join(map(str, layers))
        page_text.caption(f"**{label}**: grad_norm is exactly 0 in {where} (a log axis cannot draw 0): no gradient reaches them.")


def over_time(records, labels, live: bool):
    """The views over steps: layer 1 and the last layer overlaid, then each run's own charts side by side.
    Live frames hold at most charts.LIVE_ROWS rows a chart; finished runs are drawn once, in full."""
    rows = charts.LIVE_ROWS if live else None
    names = [plain(label) for label in labels]
    show(compare_charts.ends_over_time(records, names))
    st.markdown("#### grad_norm of every layer, run by run")
    for column, record, label in zip(st.columns(len(records)), records, labels):
        with column:
            page_text.caption(label)
            show(charts.grad_norm_heatmap(record, height=220, rows=rows))
    st.markdown("#### Sparsity, dead units and saturation, run by run")
    for metric in ("sparsity", "dead_fraction", "saturation"):
        for column, record, label in zip(st.columns(len(records)), records, labels):
            with column:
                page_text.caption(label)
                show(charts.sparsity_lines(record, metric, height=240, legend=False, rows=rows))
    st.markdown("#### Training")
    loss, accuracy = st.columns(2)
    with loss:
        show(compare_charts.training_overlaid(records, names, "loss"))
    with accuracy:
        show(compare_charts.training_overlaid(records, names, "accuracy"))

