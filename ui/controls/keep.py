"""Keep the Lab's settings while the student visits other pages.

Streamlit forgets a widget's value at the end of any script run that does not draw the widget, so a
student who looked at the Activations page came back to a Lab at its defaults. Each run copies the values
into shadow keys that are not widgets, and a forgotten control is restored from its shadow.

Writing a widget's own key back on every run (the pattern in Streamlit's "Widget behavior" docs) makes the
server push that value to the browser after each rerun, which overwrote arrow-key presses made while the
rerun was in flight; restoring only what was forgotten never does.
"""
import streamlit as st

from ui.controls.specs import lab_specs

# Controls drawn only in some modes (alpha, the Keras dict) are kept too, so switching modes back restores them.
KEPT_KEYS = (*lab_specs(), "lab_initializer_json")


def shadow_key(key: str) -> str:
    return f"_kept_{key}"


def keep_lab_controls() -> None:
    for key in KEPT_KEYS:
        if key in st.session_state:
            st.session_state[shadow_key(key)] = st.session_state[key]
        elif shadow_key(key) in st.session_state:
            st.session_state[key] = st.session_state[shadow_key(key)]
