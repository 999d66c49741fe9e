"""Stop Streamlit from clearing the Keras session after every script run.

Streamlit calls keras.backend.clear_session() whenever a script or fragment run ends. That runs a full
garbage collection, resets TensorFlow's default graph and empties its kernel cache, holding the GIL all the
while; at five redraws a second it starves the training threads (a 2-second run took over a minute). The
Lab keeps no Keras session state (its models are plain tf.Variables), so there is nothing to clear.
"""
import sys

from ui.streamlit_private import replace_problem_module_cleaner


def _close_figures_only() -> None:
    if "matplotlib.pyplot" in sys.modules:
        try:
            sys.modules["matplotlib.pyplot"].close("all")
        except Exception:  # noqa: S110 - the same tolerance as Streamlit's own cleaner
            pass


def keep_keras_session() -> None:
    replace_problem_module_cleaner(_close_figures_only)
