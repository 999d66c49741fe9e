"""Stop Streamlit from clearing the Keras session after every script run.

Streamlit calls keras.backend.clear_session() whenever a script or fragment run ends. That runs a full
garbage collection, resets TensorFlow's default graph and empties its kernel cache, holding the GIL all the
while; at five redraws a second it starves the training threads (a 2-second run took over a minute). The
Lab keeps no Keras session state (its models are plain tf.Variables), so there is nothing to clear.
"""
import sys

from streamlit.runtime.scriptrunner import script_runner


def _clean_problem_modules_except_keras() -> None:
    if "matplotlib.pyplot" in sys.modules:
        try:
            sys.modules["matplotlib.pyplot"].close("all")
        except Exception:  # noqa: S110 - the same tolerance as Streamlit's own cleaner
            pass


def keep_keras_session() -> None:
    script_runner._clean_problem_modules = _clean_problem_modules_except_keras
