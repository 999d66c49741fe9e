"""Gradient Flow Explorer: the entry point. Page config, navigation over pages/, and the shared sidebar."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit as st  # noqa: E402

from ui.keep_controls import keep_lab_controls  # noqa: E402
from ui.keras_session import keep_keras_session  # noqa: E402
from ui.session import device_badge  # noqa: E402
from ui.sweep_session import sidebar_note as sweep_sidebar_note  # noqa: E402

keep_keras_session()
keep_lab_controls()

st.set_page_config(page_title="Gradient Flow Explorer", page_icon=":material/waves:", layout="wide")

pages = [st.Page("pages/lab.py", title="Gradient Flow Lab", icon=":material/science:", default=True),
         st.Page("pages/compare.py", title="Compare runs", icon=":material/compare:", url_path="compare")]
pages.append(st.Page("pages/activations.py", title="Activation functions", icon=":material/show_chart:", url_path="activations"))
pages.append(st.Page("pages/theory.py", title="Signal propagation", icon=":material/blur_on:", url_path="theory"))
pages.append(st.Page("pages/sweep.py", title="Sweeps", icon=":material/grid_on:", url_path="sweep"))
navigation = st.navigation(pages)

with st.sidebar:
    st.markdown("### Gradient Flow Explorer")
    st.caption(f"Device: **{device_badge()}**")
    if navigation.url_path != "sweep":
        sweep_sidebar_note()

navigation.run()
