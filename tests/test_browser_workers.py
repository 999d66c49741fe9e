"""With GRADFLOW_TRAIN_ON=workers, `streamlit run app.py` trains the Lab's runs in Dask worker processes, and
the page in Chromium draws them as it draws runs trained in the web process."""
import re
from urllib.parse import urlencode

import psutil
import pytest
from playwright.sync_api import expect

from bench.processes import tensorflow_mapped
from helpers.browser import caught_up, require_chromium, streamlit_app, wait_finished

require_chromium()

ALL_IN_VIEW = {"width": 1400, "height": 4200}


@pytest.fixture(scope="module")
def workers_server():
    """A server of this file's own, GRADFLOW_TRAIN_ON unset (workers, the app's default): the shared one may have
    loaded TensorFlow for another file's link (an initializer name only Keras can check, say)."""
    with streamlit_app(GRADFLOW_SWEEP_WORKERS="2") as started:
        yield started


def cpu_seconds(process: psutil.Process) -> tuple:
    """(the server's own CPU seconds, its child processes' together): the workers are its children."""
    times = process.cpu_times()
    children = 0.0
    for child in process.children(recursive=True):
        try:
            child_times = child.cpu_times()
            children += child_times.user + child_times.system
        except psutil.NoSuchProcess:
            pass
    return times.user + times.system, children


def test_a_run_trained_on_the_workers_is_drawn_whole_and_its_training_is_their_cpu_not_the_servers(
        workers_server, browser):  # noqa: F811
    address, process = workers_server
    page = browser.new_page(viewport=ALL_IN_VIEW)
    page.goto(f"{address}/?steps=1500&record_every=10&depth=12&seed=31")
    wait_finished(page, timeout=180_000)
    caught_up(page, 60_000)
    assert page.evaluate("() => window.gfeLive.store.chunks.length") == 1500 // 10 + 1
    assert page.locator("[data-testid='stException']").count() == 0
    server = psutil.Process(process.pid)
    assert len(server.children(recursive=True)) >= 2  # the worker processes
    before = cpu_seconds(server)
    page.goto(f"{address}/?steps=3000&record_every=20&depth=12&width=128&seed=32")  # more arithmetic a step
    wait_finished(page, timeout=180_000)
    caught_up(page, 60_000)
    status = page.get_by_text(re.compile(r"finished · step 3000 of 3000 · depth 12 · width 128"))
    expect(status).to_be_visible()
    after = cpu_seconds(server)
    on_server, on_workers = after[0] - before[0], after[1] - before[1]
    assert on_workers > max(1.0, on_server), f"workers {on_workers:.1f} s, server {on_server:.1f} s"
    page.close()


def test_the_web_process_never_loads_tensorflow_and_a_worker_makes_the_keras_exports(
        workers_server, browser, tmp_path):  # noqa: F811
    import keras

    address, process = workers_server
    page = browser.new_page(viewport=ALL_IN_VIEW, accept_downloads=True)
    # a lesson's run, whose bias is a Keras config dict: the server checks it without Keras too
    link = urlencode({"steps": 200, "record_every": 10, "depth": 3, "width": 16, "seed": 33, "activation": "relu",
                      "initializer": "orthogonal",  # a menu name the theory has no line for
                      "bias_initializer": '{"class_name":"Constant","config":{"value":-0.5}}'})
    page.goto(f"{address}/?{link}")
    wait_finished(page, timeout=180_000)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Keras model (.keras)", exact=True).click()
    download.value.save_as(tmp_path / "model.keras")
    model = keras.models.load_model(tmp_path / "model.keras")
    assert [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dense)] == \
        ["hidden_1", "hidden_2", "hidden_3", "logits"]
    assert model.layers[0].kernel.shape == (2, 16)
    page.get_by_text("Show the Keras code").click()
    expect(page.get_by_text("DEPTH = 3", exact=False)).to_be_visible(timeout=60_000)
    for path, heading in (("compare", "Compare runs"), ("activations", "Activation functions"),
                          ("theory", "Signal propagation"), ("sweep", "Sweeps")):
        page.goto(f"{address}/{path}")
        expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)  # the page's own work, after its heading
        assert page.locator("[data-testid='stException']").count() == 0, path
    assert tensorflow_mapped(process.pid) == [], "the web process loaded TensorFlow"
    assert any(tensorflow_mapped(child.pid) for child in psutil.Process(process.pid).children(recursive=True))
    page.close()
