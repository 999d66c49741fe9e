"""The app's shell: page config, navigation over app_pages/, and the shared sidebar with the device badge.

app.py runs it; a setting of the server that cannot be used (GRADFLOW_TRAIN_ON=..., say) is shown literally in
place of the pages, and nothing starts.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit as st  # noqa: E402

from ui import text  # noqa: E402
from ui.controls.keep import keep_lab_controls  # noqa: E402
from ui.keras_session import keep_keras_session  # noqa: E402
from ui.session import device_badge, server_problem  # noqa: E402
from ui.sweep.runs import sidebar_note as sweep_sidebar_note  # noqa: E402


def run():
    keep_keras_session()
    keep_lab_controls()

    st.set_page_config(page_title="Gradient Flow Explorer", page_icon=":material/waves:", layout="wide")
    problem = server_problem()
    if problem is not None:
        def cannot_start():
            text.error(f"This server cannot start: {problem}. Whoever hosts it can change that setting and start it again.")

        # one hidden page of its own: the app's pages are not drawn while the server cannot start
        st.navigation([st.Page(cannot_start, title="Gradient Flow Explorer")], position="hidden").run()
        return

    pages = [st.Page("app_pages/lab.py", title="Gradient Flow Lab", icon=":material/science:", default=True),
             st.Page("app_pages/compare.py", title="Compare runs", icon=":material/compare:", url_path="compare")]
    pages.append(st.Page("app_pages/activations.py", title="Activation functions", icon=":material/show_chart:", url_path="activations"))
    pages.append(st.Page("app_pages/theory.py", title="Signal propagation", icon=":material/blur_on:", url_path="theory"))
    pages.append(st.Page("app_pages/sweep.py", title="Sweeps", icon=":material/grid_on:", url_path="sweep"))
    navigation = st.navigation(pages)

    with st.sidebar:
        st.markdown("### Gradient Flow Explorer")
        text.caption(f"Device: {device_badge()}")  # a worker's GPU names are outside text: shown as they are
        if navigation.url_path != "sweep":
            sweep_sidebar_note()

    navigation.run()
