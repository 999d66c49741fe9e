"""Take it home: the run as JSON and CSV, a chart as PNG or SVG, the GIF, the Keras model and its code.

Every file is made when its button is clicked (Streamlit calls the function then), so drawing the page never
renders images or saves models; the buttons do not rerun the page."""
import json
import re

import streamlit as st

from core.config import RunConfig, is_upload
from core.export import images
from core.engine.datasets import class_count
from core.engine.upload_store import STORE
from core.export.views import view, view_names
from ui.session import lab_server


def file_stem(config: RunConfig) -> str:
    stem = f"gradflow_{config.activation}_depth{config.depth}_width{config.width}_seed{config.seed}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem)


def keras_file(record, engine) -> bytes:
    """The `.keras` file, saved by a worker when runs train on Dask workers (this process then has no Keras)."""
    if engine is not None:
        return engine.keras_file(record)
    from core.export.keras_model import keras_bytes  # here: it loads Keras and TensorFlow

    return keras_bytes(record)


def code(config: RunConfig, record, engine) -> str:
    """The "Keras code" script, written by a worker when runs train on Dask workers (once per config)."""
    classes = record.weights[-1].shape[0] if record.weights else (class_count(config) or 2)
    # an upload's script quotes its file's name, which the config's name (content and label) does not hold
    upload_file = STORE.get(config.dataset).filename if is_upload(config.dataset) and config.dataset in STORE else None
    return _script(config.key(), classes, upload_file, engine)


def take_home(record, config: RunConfig, key: str = "lab"):
    """The export section under a finished (or paused, or imported) run."""
    if record is None or not record.steps:
        return
    stem = file_stem(config)
    engine = lab_server().engine  # read while the page draws: a download's function runs outside the script
    st.markdown("#### Take it home")
    run, chart, animation, model = st.columns([1, 1.4, 1, 1])
    with run:
        st.caption("The run")
        st.download_button("Run record (JSON)", record.to_json, f"{stem}.json", "application/json", on_click="ignore",
                           key=f"{key}_export_json", icon=":material/data_object:",
                           help="The whole run record (schema gradflow.run/1): import it here again, or read it in "
                                "Python with json.load.")
        st.download_button("Table (CSV)", lambda: record.to_frame().to_csv(index=False), f"{stem}.csv", "text/csv",
                           on_click="ignore", key=f"{key}_export_csv", icon=":material/table:",
                           help="One row per recorded step, layer and metric: open it in a spreadsheet or pandas.")
    with chart:
        st.caption("A chart, at the last recorded step")
        name = st.selectbox("chart", view_names(record), key=f"{key}_export_chart", label_visibility="collapsed")
        png, svg = st.columns(2)
        png.download_button("PNG", lambda: images.to_png(view(record, name)), f"{stem}_{_slug(name)}.png",
                            "image/png", on_click="ignore", key=f"{key}_export_png", icon=":material/image:")
        svg.download_button("SVG", lambda: images.to_svg(view(record, name)), f"{stem}_{_slug(name)}.svg",
                            "image/svg+xml", on_click="ignore", key=f"{key}_export_svg", icon=":material/draw:")
    with animation:
        st.caption("For slides")
        st.download_button("Gradient flow GIF", lambda: images.gradient_flow_gif(record), f"{stem}_gradient_flow.gif",
                           "image/gif", on_click="ignore", key=f"{key}_export_gif", icon=":material/animation:",
                           help=f"grad_norm by layer at up to {images.GIF_FRAMES} steps of the run, on one log axis. "
                                "Takes a few seconds to make.")
    with model:
        st.caption("The trained network")
        st.download_button("Keras model (.keras)", lambda: keras_file(record, engine), f"{stem}.keras",
                           "application/octet-stream", on_click="ignore", key=f"{key}_export_keras",
                           icon=":material/neurology:", disabled=not record.weights,
                           help="keras.models.load_model reads it" + (
                               "; a necro_relu network needs `import core.engine.activations` first."
                               if config.activation == "necro_relu" else ".")
                           if record.weights else "Finish the run to export its trained network." if record.status == "running"
                           else "This run has no trained weights here: an imported record, a stopped run, or a network "
                                "larger than the host keeps.")
        st.download_button("Keras code (.py)", lambda: code(config, record, engine), f"{stem}.py", "text/x-python",
                           on_click="ignore", key=f"{key}_export_code", icon=":material/code:")
    if st.toggle("Show the Keras code", key=f"{key}_show_code",
                 help="A short script that builds this network with the same initializers and data, and trains it "
                      "with a GradientTape loop. Paste it into a notebook: its first loss is this run's step 0 loss."):
        st.code(_shown_code(config, record, engine), language="python")


def _shown_code(config: RunConfig, record, engine) -> str:
    """The script under the toggle, or why it cannot be shown (a worker that did not answer); never raises."""
    try:
        return code(config, record, engine)
    except Exception as error:
        return f"# The Keras code could not be written: {type(error).__name__}: {error}"


@st.cache_data(max_entries=64, show_spinner=False)
def _script(config_key: str, classes: int, upload_file: str | None, _engine) -> str:
    """Once per config and class count: with the toggle on, every rerun of the page shows it, and with runs on
    the workers each would be a round trip to one (a failure is not cached, so the next rerun asks again).
    `upload_file` is only part of the key."""
    config = RunConfig.from_dict(json.loads(config_key))
    if _engine is not None:
        return _engine.keras_code(config, classes)
    from core.export.keras_code import keras_code  # here: it loads Keras and TensorFlow

    return keras_code(config, classes)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "chart"
