"""Leaving the Lab for another page and coming back keeps the student's settings and run."""
import os

import pytest
from streamlit.testing.v1 import AppTest

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")


@pytest.fixture
def lab():
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"lab_steps": 20, "lab_samples": 200, "lab_width": 8}.items():
        app.session_state[key] = value
    app.run()
    yield app
    run = app.session_state["lab_live"] if "lab_live" in app.session_state else None
    if run is not None:
        run.stop()
        run.wait(60)


@pytest.mark.parametrize("page", ["app_pages/activations.py", "app_pages/theory.py", "app_pages/compare.py"])
def test_lab_settings_and_run_survive_a_visit_to_another_page(lab, page):
    lab.slider(key="lab_depth").set_value(7).run()
    lab.selectbox(key="lab_activation").set_value("tanh").run()
    run_before = lab.session_state["lab_live"]
    assert run_before.config.depth == 7 and run_before.config.activation == "tanh"

    lab.switch_page(page).run()
    lab.run()  # a second run on the other page is where Streamlit used to drop the Lab's widget values
    lab.switch_page("app_pages/lab.py").run()

    assert not lab.exception
    assert lab.slider(key="lab_depth").value == 7
    assert lab.selectbox(key="lab_activation").value == "tanh"
    assert lab.session_state["lab_live"] is run_before, "coming back must not start a new run"
