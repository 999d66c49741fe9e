"""Take it home: the run as JSON and CSV, a chart as PNG or SVG, the GIF, the Keras model and its code.

Every file is made when its button is clicked (Streamlit calls the function then), so drawing the page never
renders images or saves models; the buttons do not rerun the page."""
import os
import re
import tempfile

import streamlit as st

from core.config import RunConfig
from core.export import images
from core.engine.datasets import class_count
from core.export.keras_code import keras_code
from core.export.keras_model import save_keras
from core.export.views import view, view_names


def file_stem(config: RunConfig) -> str:
    stem = f"gradflow_{config.activation}_depth{config.depth}_width{config.width}_seed{config.seed}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem)


def keras_bytes(record) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        save_keras(record, path)
        with open(path, "rb") as handle:
            return handle.read()


def take_home(record, config: RunConfig, key: str = "lab"):
    """The export section under a finished (or paused, or imported) run."""
    if record is None or not record.steps:
        return
    stem = file_stem(config)
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
        st.download_button("Keras model (.keras)", lambda: keras_bytes(record), f"{stem}.keras",
                           "application/octet-stream", on_click="ignore", key=f"{key}_export_keras",
                           icon=":material/neurology:", disabled=not record.weights,
                           help="keras.models.load_model reads it" + (
                               "; a necro_relu network needs `import core.engine.activations` first."
                               if config.activation == "necro_relu" else ".")
                           if record.weights else "Finish the run to export its trained network." if record.status == "running"
                           else "This run has no trained weights here: an imported record, a stopped run, or a network "
                                "larger than the host keeps.")
        st.download_button("Keras code (.py)", lambda: code(config, record), f"{stem}.py", "text/x-python",
                           on_click="ignore", key=f"{key}_export_code", icon=":material/code:")
    if st.toggle("Show the Keras code", key=f"{key}_show_code",
                 help="A short script that builds this network with the same initializers and data, and trains it "
                      "with a GradientTape loop. Paste it into a notebook: its first loss is this run's step 0 loss."):
        st.code(code(config, record), language="python")


def code(config: RunConfig, record) -> str:
    classes = record.weights[-1].shape[0] if record.weights else (class_count(config) or 2)
    return keras_code(config, classes)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "chart"
