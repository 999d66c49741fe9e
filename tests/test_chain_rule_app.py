"""The Lab's chain rule of one layer: the numbers of the picked layer and step, and a stale pick ignored."""
import numpy as np
import pytest

from apps import run_until_done, start_lab
from core.chain_rule import layer_chain


def metric_values(app) -> dict:
    return {element.label: element.value for element in app.metric}


def test_the_lab_shows_the_picked_layers_chain_rule_with_the_records_numbers():
    app = run_until_done(start_lab(lab_depth=6, lab_activation="sigmoid", lab_seed=61))
    record = app.session_state["lab_live"].snapshot
    assert not app.exception
    assert app.select_slider(key="lab_chain_step").value == record.steps[-1], "the latest step until one is picked"
    app.selectbox(key="lab_chain_layer").set_value(2).run()
    app.select_slider(key="lab_chain_step").set_value(record.steps[3]).run()
    assert not app.exception
    chain = layer_chain(record, 3, 2)
    shown = metric_values(app)
    assert shown["rms δ_3"] == f"{chain.delta_above:.3g}" and shown["= rms δ_2"] == f"{chain.delta:.3g}"
    assert shown["× the activation's factor"] == f"{chain.activation_factor:.3g}"
    assert float(shown["× the activation's factor"]) <= 0.25  # sigmoid's slope is at most a quarter
    assert any(f"at step {record.steps[3]}" in m.value for m in app.markdown)
    assert chain.product == pytest.approx(chain.delta, rel=1e-6) and np.isfinite(chain.weight_factor)


def test_a_picked_layer_beyond_the_depth_is_ignored_and_the_residual_skip_is_named():
    app = run_until_done(start_lab(lab_depth=6, lab_residual=True, lab_seed=62))
    app.selectbox(key="lab_chain_layer").set_value(5).run()
    app.slider(key="lab_depth").set_value(3).run()  # the picked layer 5 is now beyond the depth
    app = run_until_done(app)
    assert not app.exception
    assert app.selectbox(key="lab_chain_layer").value == 1
    assert "skip included" in " ".join(metric_values(app))
    assert any("The skip hands ∂loss/∂h_2" in caption.value for caption in app.caption)

