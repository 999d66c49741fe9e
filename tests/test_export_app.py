"""Take it home, in a real Streamlit runtime: every export of a finished Lab run, and import of saved runs in
the Lab and in Compare (AppTest)."""
import io
import json
import zipfile

import keras
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from streamlit.testing.v1 import app_test
from streamlit.runtime.media_file_manager import MediaFileManager
from core.metrics import LAYER_METRICS

from apps import compare_until_done, open_compare, run_until_done, start_lab
from helpers.records import json_values, mutate

MANAGERS = []


class RecordingMediaFileManager(MediaFileManager):
    """AppTest's media file manager, kept, so a test can click a download (call its deferred function)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        MANAGERS.append(self)


@pytest.fixture(scope="module", autouse=True)
def recording_downloads():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_test, "MediaFileManager", RecordingMediaFileManager)
        yield


def download(app, label) -> bytes:
    """What the browser would receive on clicking the download button `label` (Streamlit 1.67's deferred files)."""
    button = next(button for button in app.download_button if button.label == label)
    assert not button.proto.disabled, f"{label} is disabled"
    data = MANAGERS[-1]._deferred_callables[button.proto.deferred_file_id]["callable"]()
    return data.encode() if isinstance(data, str) else data


@pytest.fixture(scope="module")
def finished():
    app = run_until_done(start_lab(lab_depth=4))
    return app


def test_a_finished_run_downloads_as_the_json_record_and_the_csv_table(finished):
    record = finished.session_state["lab_live"].snapshot
    assert json.loads(download(finished, "Run record (JSON)")) == json.loads(record.to_json())
    table = download(finished, "Table (CSV)").decode().splitlines()
    assert table[0] == "step,layer,layer_index,metric,value"
    assert len(table) == 1 + len(record.steps) * 4 * len(LAYER_METRICS)  # steps x layers x metrics


def test_a_chart_downloads_as_png_and_svg_and_the_gradient_flow_as_an_animated_gif(finished):
    png = Image.open(io.BytesIO(download(finished, "PNG")))
    assert png.format == "PNG" and png.size[0] >= 640
    assert download(finished, "SVG").lstrip().startswith(b"<svg")
    gif = Image.open(io.BytesIO(download(finished, "Gradient flow GIF")))
    assert gif.format == "GIF" and gif.n_frames == min(40, len(finished.session_state["lab_live"].snapshot.steps))


def test_the_trained_network_downloads_as_a_keras_file_with_the_runs_weights(finished, tmp_path):
    data = download(finished, "Keras model (.keras)")
    assert zipfile.is_zipfile(io.BytesIO(data))  # the .keras format is a zip archive
    path = tmp_path / "model.keras"
    path.write_bytes(data)
    model = keras.models.load_model(path)
    record = finished.session_state["lab_live"].snapshot
    for loaded, kept in zip(model.get_weights(), record.weights):
        assert (loaded == kept).all()


def test_show_the_keras_code_prints_the_script_that_the_py_download_holds(finished):
    finished.toggle(key="lab_show_code").set_value(True).run()
    script = download(finished, "Keras code (.py)").decode()
    shown = [block.value for block in finished.code if block.value.startswith('"""Gradient Flow Explorer run, as plain Keras:\n')]
    assert shown == [script.rstrip("\n")]  # st.code drops the final newline
    compile(script, "run.py", "exec")
    finished.toggle(key="lab_show_code").set_value(False).run()


def chart_rows(app) -> list:
    """What each chart draws: its spec and the Arrow bytes of every dataset it sends to the browser."""
    return [(chart.proto.spec, [(d.name, d.data.data) for d in chart.proto.datasets]) for chart in app.get("vega_lite_chart")]


def test_an_imported_record_opens_in_the_lab_with_the_same_chart_data_and_closes_back_to_the_live_run(finished):
    live_charts = chart_rows(finished)
    assert all(datasets for _, datasets in live_charts), "every chart sends its rows as datasets"
    live_run = finished.session_state["lab_live"]
    exported = download(finished, "Run record (JSON)")
    finished.file_uploader(key="lab_import_file").upload("my_run.json", exported, "application/json").run()
    assert any("Viewing the saved run `my_run.json`" in info.value for info in finished.info)
    assert chart_rows(finished) == live_charts  # the same specs and the same rows, byte for byte
    assert next(button for button in finished.download_button if button.label == "Keras model (.keras)").proto.disabled
    finished.button(key="lab_close_import").click().run()
    assert not any("Viewing the saved run" in info.value for info in finished.info)
    assert finished.session_state["lab_live"] is live_run
    finished.file_uploader(key="lab_import_file").set_value(None).run()


def test_a_bad_file_is_refused_with_its_reason_and_the_lab_keeps_its_run(finished):
    live_run = finished.session_state["lab_live"]
    finished.file_uploader(key="lab_import_file").upload("notes.json", b'{"schema": "other/1"}', "application/json").run()
    assert any("That file was not opened" in error.value and "schema = `other/1` is not allowed" in error.value
               for error in finished.error)
    assert not finished.exception
    assert finished.session_state["lab_live"] is live_run
    assert not any("Viewing the saved run" in info.value for info in finished.info)
    finished.file_uploader(key="lab_import_file").set_value(None).run()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_bad_uploads_never_raise_out_of_the_page(finished, data):
    finished.file_uploader(key="lab_import_file").upload("fuzz.json", data, "application/json").run()
    assert not finished.exception
    assert any("That file was not opened" in error.value for error in finished.error)
    finished.file_uploader(key="lab_import_file").set_value(None).run()


@pytest.fixture(scope="module")
def compared(finished):
    """Compare with two live runs of depth 3 and the Lab's depth-4 record added as a saved run."""
    exported = download(finished, "Run record (JSON)")
    app = compare_until_done(open_compare(lab_depth=3, lab_steps=40, lab_samples=300, lab_width=16))
    app.file_uploader(key="cmp_import_files").set_value([("depth4.json", exported, "application/json")]).run()
    return app


def test_saved_runs_are_compared_beside_the_live_runs(compared):
    app = compared
    assert not app.exception
    text = json.dumps([json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")])
    assert "saved: depth4.json" in text
    table = app.dataframe[0].value  # What differs: the saved run has depth 4, the live ones 3
    assert "saved: depth4.json" in table.columns or "saved: depth4.json" in table.index
    assert table.loc["depth"].tolist() == ["3", "3", "4"]  # the live runs' depth, then the saved run's


def test_a_corrupt_or_huge_file_in_compare_is_refused_and_the_saved_run_stays(compared, monkeypatch):
    app = compared
    monkeypatch.setenv("GRADFLOW_MAX_UPLOAD_MB", "1")
    for name, data, reason in [("broken.json", b'{"schema": "gradflow.run/1", "steps": ', "not valid JSON"),
                               ("huge.json", b" " * (3 * 2**19), "`huge.json` is 1.5 MB; at most 1 MB is allowed")]:
        app.file_uploader(key="cmp_import_files").set_value([(name, data, "application/json")]).run()
        assert not app.exception
        assert any(error.value.startswith(f"Not added: `{name}`: ") and reason in error.value for error in app.error), name
        assert [name for name, _ in app.session_state["cmp_imported"]] == ["depth4.json"]  # what it had
        assert app.dataframe[0].value.loc["depth"].tolist() == ["3", "3", "4"]


def test_eight_runs_in_compare_get_eight_colors():
    from core.charts.compare import run_color

    labels = [f"run {i}" for i in range(1, 5)] + [f"saved: a.json ({i})" for i in range(1, 5)]
    scale = run_color(labels).to_dict()["scale"]
    assert scale["domain"] == labels and len(set(scale["range"])) == 8


@pytest.fixture(scope="module")
def exported_record(finished) -> dict:
    return json.loads(finished.session_state["lab_live"].snapshot.to_json())  # what Run record (JSON) downloads


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.lists(st.integers(0, 50), min_size=1, max_size=5), value=json_values)
def test_damaged_records_never_raise_out_of_the_lab_or_compare(finished, compared, exported_record, path, value):
    """A real record with one value replaced (Hypothesis): each page opens it and draws it, or refuses it."""
    damaged = json.dumps(mutate(exported_record, path, value)).encode()
    finished.file_uploader(key="lab_import_file").upload("damaged.json", damaged, "application/json").run()
    assert not finished.exception
    opened = any("Viewing the saved run `damaged.json`" in info.value for info in finished.info)
    refused = any("That file was not opened" in error.value for error in finished.error)
    assert opened != refused
    if opened:
        finished.button(key="lab_close_import").click().run()
    finished.file_uploader(key="lab_import_file").set_value(None).run()

    good = json.dumps(exported_record).encode()  # beside a good one, so Compare always has a saved run to keep
    compared.file_uploader(key="cmp_import_files").set_value(
        [("depth4.json", good, "application/json"), ("damaged.json", damaged, "application/json")]).run()
    assert not compared.exception
    added = [name for name, _ in compared.session_state["cmp_imported"]]
    refused = any(error.value.startswith("Not added: `damaged.json`: ") for error in compared.error)
    assert added == ["depth4.json"] + ([] if refused else ["damaged.json"])
