"""The Lab's chain rule of one layer: the picked layer's live views, and a stale pick ignored. (Their numbers
are the page script's, checked against core/chain_rule.py in tests/test_browser_chain_rule.py.)"""
from apps import run_until_done, start_lab
from ui.live.wire import component_data


def chain_views(app) -> dict:
    """The live views' data by their view kind (the custom component's JSON argument)."""
    views = {}
    for element in app.get("bidi_component"):
        data = component_data(element.proto) or {}
        if isinstance(data, dict) and "view" in data:
            views[data["view"]["kind"]] = data
    return views


def test_the_lab_draws_the_picked_layers_chain_rule_as_views_that_follow_the_step_bar():
    app = run_until_done(start_lab(lab_depth=6, lab_activation="sigmoid", lab_seed=61))
    assert not app.exception
    app.selectbox(key="lab_chain_layer").set_value(2).run()
    assert not app.exception
    views = chain_views(app)
    assert views["chain"]["view"]["layer"] == 2 and views["chain"]["view"]["titles"][0] == "rms δ_3"
    assert any(rule.get("mark", {}).get("color") == "#d62728" and rule["encoding"]["x"]["datum"] == 2
               for rule in views["factors"]["spec"]["layer"]), "the picked layer is marked on the factors"
    assert any("δ_2 = (W_3ᵀ δ_3) ⊙ φ'(z_2)" in m.value for m in app.markdown)


def test_a_picked_layer_beyond_the_depth_is_ignored_and_the_residual_skip_is_named():
    app = run_until_done(start_lab(lab_depth=6, lab_residual=True, lab_seed=62))
    app.selectbox(key="lab_chain_layer").set_value(5).run()
    app.slider(key="lab_depth").set_value(3).run()  # the picked layer 5 is now beyond the depth
    app = run_until_done(app)
    assert not app.exception
    assert app.selectbox(key="lab_chain_layer").value == 1
    assert "skip included" in chain_views(app)["chain"]["view"]["titles"][1]
    assert any("The skip hands ∂loss/∂h_2" in caption.value for caption in app.caption)
