"""The Lab's units that die: the picked layer's heat map and its caption, and a stale pick ignored."""
from apps import run_until_done, start_lab
from core.dead_units import unit_fates


def test_the_lab_draws_the_picked_layers_units_and_a_layer_beyond_the_depth_is_ignored():
    app = run_until_done(start_lab(lab_depth=4, lab_activation="relu", lab_learning_rate=1.0, lab_seed=63))
    assert not app.exception
    app.selectbox(key="lab_units_layer").set_value(4).run()
    record = app.session_state["lab_live"].snapshot
    fates = unit_fates(record, 4)
    caption = next(c.value for c in app.caption if c.value.startswith("Layer 4, all 16 units"))
    assert f"{fates.dead_at_start} dead at the first recorded step, {fates.dead_at_end} at the last" in caption
    app.slider(key="lab_depth").set_value(2).run()
    app = run_until_done(app)
    assert not app.exception and app.selectbox(key="lab_units_layer").value == 1
