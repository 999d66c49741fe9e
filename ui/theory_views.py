"""Theory beside the measurement, in the Lab and in Compare: mean-field predictions for step 0 drawn dashed
over what the run measured, a one-line reading, and (low precision) the gradients rounded to exactly 0."""
import numpy as np
import streamlit as st

from core.charts import theory as theory_charts
from core.config import RunConfig
from core.engine.datasets import input_dim_of
from core.theory.predict import predict_for_config, reading
from core.outside_text import plain
from ui.text import markdown
from ui.views import show

PRECISION_NOTE = {
    "float16": "float16 keeps numbers down to about 6e-8 (subnormals); anything smaller becomes exactly 0.",
    "bfloat16": "bfloat16 has float32's range but 8 bits of precision; TensorFlow's CPU kernels flush its "
                "subnormals, so values below about 1e-38 become exactly 0.",
    "float32": "float32's CPU kernels flush values below about 1.2e-38 to exactly 0.",
}


def _theory_step0(record, config, prediction):
    st.markdown(f"**{reading(prediction, record.metric('delta_ms')[0])}**")
    left, right = st.columns(2)
    with left:
        show(theory_charts.theory_beside(record, prediction, "preact_ms"))
    with right:
        show(theory_charts.theory_beside(record, prediction, "delta_relative"))
    bias = (f"a constant bias {prediction.bias_mean:g} (it shifts z, it does not spread it)" if prediction.bias_mean
            else f"σ_b = {prediction.sigma_b:g}")
    st.caption(f"Mean-field theory (Poole et al. 2016, Schoenholz et al. 2017) for σ_w = {prediction.sigma_w:.3g} "
               f"(layer 1: {prediction.sigma_w_first:.3g}, from its fan-in of {input_dim_of(config) or 'the data'}), "
               f"{bias}, from the data's own mean square input ({prediction.input_ms:.3g}). It describes an "
               f"infinitely wide net: at width {config.width} single layers wander around it. The theory "
               "ignores the output layer, so ∂loss/∂z is shown relative to the last hidden layer.")


def lab(record, config: RunConfig, live: bool):
    """The Lab's theory section (after the views of one step); the figures depend on step 0 only."""
    if not record.steps:
        return
    st.markdown("#### Theory beside the measurement (step 0)")
    prediction = predict_for_config(config)
    if isinstance(prediction, str):
        st.caption(f"No mean-field prediction for this configuration: {prediction}.")
    else:
        _theory_step0(record, config, prediction)
    numerics(record, config, live)


def numerics(record, config: RunConfig, live: bool):
    """float16 / bfloat16: a chart of which layers' dloss/dz became exactly 0, and how many; float32: a caption
    when some did (float32's subnormals are flushed to 0 on the CPU)."""
    if config.precision == "float32":
        if theory_charts.delta_zeros(record, 0)["rounded"].any():  # a caption of step 0 only: the float32 layout stays the same every frame
            st.caption(theory_charts.rounded_summary(record, 0) + " " + PRECISION_NOTE["float32"])
        return
    st.markdown(f"#### Numerics: gradients rounded to exactly 0 ({config.precision})")
    show(theory_charts.rounded_zeros(record, replay=not live))  # drawn with the page: the run's state when it was drawn
    st.caption(theory_charts.rounded_summary(record) + " " + PRECISION_NOTE[config.precision]
               + (" The bars follow the step bar." if not live else "")
               + (" ReLU's own zeros (where z ≤ 0, the slope is 0) are not counted." if config.activation == "relu" else ""))


def compare(records, labels, configs):
    """Compare: each run's step-0 reading, and preact_ms and relative ∂loss/∂z by layer with the theory dashed."""
    if not all(record is not None and record.steps for record in records):
        return
    st.markdown("#### Theory beside the measurement (step 0)")
    predictions = [predict_for_config(config) for config in configs]
    for label, record, prediction in zip(labels, records, predictions):
        text = (f"no prediction: {prediction}" if isinstance(prediction, str)
                else reading(prediction, record.metric("delta_ms")[0]))
        st.caption(markdown(f"**{label}**: {text}"))
    names = [plain(label) for label in labels]  # a saved run's label holds its file name (ui/compare/panels.py)
    left, right = st.columns(2)
    with left:
        show(theory_charts.compare_theory(records, names, predictions, "preact_ms"))
    with right:
        show(theory_charts.compare_theory(records, names, predictions, "delta_relative"))
    for label, record, config in zip(labels, records, configs):
        if config.precision != "float32" and np.any(theory_charts.delta_zeros(record, -1)["rounded"]):
            st.caption(markdown(f"**{label}** ({config.precision}): ") + theory_charts.rounded_summary(record))
