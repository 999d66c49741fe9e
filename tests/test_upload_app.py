"""Your own CSV in the pages, in a real Streamlit runtime (AppTest uploads the bytes) with real TensorFlow."""
import json
import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import ui.controls.upload
import apps
from apps import APP, STARTED, chart_specs, run_until_done

QUICK = {"lab_steps": 40, "lab_samples": 300, "lab_width": 16, "lab_depth": 3}



def xor_csv(features=2, rows=240, seed=0) -> bytes:
    """Two classes by the sign of x1 * x2, in columns of very different scales, with string labels."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (rows, features)) * 10.0 ** np.arange(features)
    kind = np.where(x[:, 0] * x[:, 1] > 0, "same sign", "opposite")
    header = ",".join([f"feature_{k + 1}" for k in range(features)] + ["kind"])
    return "\n".join([header] + [",".join([*(f"{v:.5f}" for v in row), label]) for row, label in zip(x, kind)]).encode()


def open_lab(**state):
    return apps.open_lab(STARTED, {**QUICK, **state})


def upload(app, data: bytes, name="points.csv", prefix="lab_"):
    app.selectbox(key=prefix + "dataset").set_value("your own CSV").run()
    app.file_uploader(key=prefix + "upload_file").set_value((name, data, "text/csv")).run()
    return app


def data_view(app) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**Data**"))


def boundary_charts(app):
    return [spec for spec in chart_specs(app)
            if '"points"' in json.dumps(spec)]


def test_a_two_feature_csv_trains_and_draws_its_decision_boundary_with_the_theory():
    app = run_until_done(upload(open_lab(), xor_csv(2)))
    assert not app.exception
    name = app.session_state["lab_upload_name"]
    run = app.session_state["lab_live"]
    assert json.loads(run.key)["dataset"] == name and run.snapshot.status == "finished"
    assert run.snapshot.boundary is not None
    assert data_view(app) == "**Data** — `feature_1` across, `feature_2` up"
    assert len(boundary_charts(app)) == 1
    assert not any("No mean-field prediction" in c.value for c in app.caption)
    assert any(c.value.startswith("Mean-field theory") and "from its fan-in of 2)" in c.value for c in app.caption)
    summary = [c.value for c in app.sidebar.caption if "rows" in c.value]
    assert summary and "240 rows · 2 features · 2 classes (label column `kind`)" in summary[0]
    assert "0 = `opposite`, 1 = `same sign`" in summary[0]
    assert app.query_params["dataset"] == name  # the lesson link names the upload
    app.toggle(key="lab_show_code").set_value(True).run()  # Take it home: the Keras code reads the CSV again
    assert not app.exception
    assert any("pd.read_csv('points.csv', sep=',', encoding=\"utf-8-sig\")" in block.value for block in app.code)


def test_a_three_feature_csv_trains_without_a_2d_picture():
    app = run_until_done(upload(open_lab(), xor_csv(3)))
    assert not app.exception
    assert app.session_state["lab_live"].snapshot.boundary is None
    assert data_view(app) == "**Data** — your CSV has 3 inputs, so there is no 2-D picture of it."
    assert boundary_charts(app) == []


def test_a_bad_csv_lists_its_problems_and_the_previous_run_stays():
    app = run_until_done(upload(open_lab(), xor_csv(2)))
    before = app.session_state["lab_live"]
    charts = len(chart_specs(app))
    lines = xor_csv(2).decode().split("\n")
    lines[3] = "oops," + lines[3].split(",", 1)[1]  # row 4 of the file
    lines[6] = "," + lines[6].split(",", 1)[1]  # row 7
    app.file_uploader(key="lab_upload_file").set_value(("broken.csv", "\n".join(lines).encode(), "text/csv")).run()
    assert not app.exception
    error = app.sidebar.error[0].value
    assert "**`broken.csv` cannot be used.**" in error
    assert "- row 4, column `feature_1`: `oops` is not a number" in error
    assert "- row 7, column `feature_1`: missing" in error
    assert "feature values: 2 cells that are not a number (1 missing)." in error
    assert error.endswith("\n\nRows count the header as row 1, as in a spreadsheet.")
    assert any(w.value.startswith("`broken.csv` cannot be used (its problems are listed under Data)")
               for w in app.main.warning)
    assert app.session_state["lab_live"] is before and before.done  # the same run, not a new one
    assert any(c.value.startswith("**In use: `points.csv`**: 240 rows") for c in app.sidebar.caption)
    assert len(chart_specs(app)) == charts


def test_a_file_is_read_once_however_often_the_page_reruns(monkeypatch):
    reads = []
    original = ui.controls.upload.read_table
    monkeypatch.setattr(ui.controls.upload, "read_table", lambda *a, **k: reads.append(1) or original(*a, **k))
    app = upload(open_lab(lab_steps=0), xor_csv(2, seed=5))
    for _ in range(3):
        app.run()
    assert len(reads) == 1
    # Another label column is checked once (the file is read again for it), then reused.
    app.selectbox(key="lab_upload_label").set_value("feature_2").run()
    app.run()
    assert len(reads) == 2 and not app.exception
    error = app.sidebar.error[0].value  # 240 different numbers are not classes
    assert "label column: `feature_2` with 240 classes" in error and "at most 20 classes" in error


def test_the_upload_stays_in_use_after_visiting_a_built_in_data_set_and_coming_back():
    app = upload(open_lab(lab_steps=0), xor_csv(2, seed=6))
    name = app.session_state["lab_upload_name"]
    app.selectbox(key="lab_dataset").set_value("moons").run()
    assert json.loads(app.session_state["lab_live"].key)["dataset"] == "moons"
    app.selectbox(key="lab_dataset").set_value("your own CSV").run()  # the uploader has forgotten the file
    assert not app.exception
    assert json.loads(app.session_state["lab_live"].key)["dataset"] == name
    assert any("**In use: `points.csv`**: 240 rows" in c.value for c in app.sidebar.caption)


def test_until_a_csv_is_loaded_the_lab_keeps_its_built_in_data():
    app = open_lab(lab_steps=0, lab_dataset="circles")
    app.selectbox(key="lab_dataset").set_value("your own CSV").run()
    assert not app.exception
    assert json.loads(app.session_state["lab_live"].key)["dataset"] == "circles"
    assert any("Until then runs use circles" in i.value for i in app.sidebar.info)


def test_a_lesson_link_naming_a_lost_upload_says_so_and_the_lab_runs_on_spirals():
    app = AppTest.from_file(APP, default_timeout=120)
    STARTED.append(app)
    app.query_params.update({"dataset": "upload:00000000beef", "steps": "0", "depth": "2"})
    app.run()
    assert not app.exception
    assert any("upload:00000000beef" in w.value and "upload the CSV again" in w.value for w in app.warning)
    assert json.loads(app.session_state["lab_live"].key)["dataset"] == "spirals"


def test_compare_trains_every_run_on_the_uploaded_csv():
    app = AppTest.from_file(APP, default_timeout=120)
    STARTED.append(app)
    for key, value in {**QUICK, "lab_steps": 20, "lab_depth": 2}.items():
        app.session_state[key] = value  # Compare starts from the Lab's configuration
    app.switch_page("app_pages/compare.py")
    app.run()
    upload(app, xor_csv(2, seed=7), prefix="cmp1_")
    assert not app.exception
    name = app.session_state["cmp1_upload_name"]
    runs = app.session_state["cmp_live"]
    assert [json.loads(run.key)["dataset"] for run in runs] == [name, name]
    deadline = time.time() + 120
    while not all(run.done for run in runs):
        assert time.time() < deadline
        time.sleep(0.2)
    app.run()
    assert not app.exception and all(run.snapshot.status == "finished" for run in runs)
    assert any(m.value == "#### Theory beside the measurement (step 0)" for m in app.markdown)
    readings = [c.value for c in app.caption if c.value.startswith(("**1 · ", "**2 · "))]
    assert len(readings) == 2 and all(": theory: chi = " in text for text in readings)  # from the CSV's own inputs


def test_the_other_pages_work_on_an_uploaded_csv_and_the_sweep_page_offers_to_sweep_it():
    app = upload(open_lab(lab_steps=0), xor_csv(2, seed=8))
    name = app.session_state["lab_upload_name"]
    assert json.loads(app.session_state["lab_live"].key)["dataset"] == name
    app.switch_page("app_pages/theory.py").run()
    assert not app.exception
    assert any(c.value.startswith("◆ The Lab now: sigmoid, σ_w = ") for c in app.caption)
    app.switch_page("app_pages/activations.py").run()
    assert not app.exception and chart_specs(app)
    app.switch_page("app_pages/sweep.py").run()
    assert not app.exception
    assert not app.error  # the sweep sends the server's copy of the CSV to its workers (tests/test_sweep_dask.py)
    assert not app.button(key="sweep_run").disabled
    app.switch_page("app_pages/lab.py").run()  # back in the Lab, the CSV is still the data
    assert not app.exception
    assert json.loads(app.session_state["lab_live"].key)["dataset"] == name


BAD_CELLS = st.sampled_from(["", "NA", "abc", "1,5", '"', "inf", "-", "1e999", "é", " "])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(st.one_of(BAD_CELLS, st.floats(allow_nan=True).map(repr)), min_size=3, max_size=3),
             min_size=0, max_size=15).map(lambda rows: "\n".join(["a,b,c"] + [",".join(r) for r in rows]).encode())))
def test_generated_bad_uploads_never_raise_out_of_the_page(data):
    app = open_lab(lab_steps=0)
    upload(app, data, name="generated.csv")
    assert not app.exception
    assert app.sidebar.error or any("rows" in c.value for c in app.sidebar.caption)
