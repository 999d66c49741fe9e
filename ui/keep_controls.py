"""Keep the Lab's settings while the student visits other pages.

Streamlit forgets a widget's value at the end of any script run that does not draw the widget, so a
student who looked at the Activations page came back to a Lab at its defaults. Writing each value back
into Session State before the page runs makes it ordinary state, which Streamlit keeps
(docs: "Widget behavior", retaining statefulness when changing pages).
"""
import streamlit as st

from ui.control_specs import lab_specs

# Controls drawn only in some modes (alpha, the Keras dict) are kept too, so switching modes back restores them.
KEPT_KEYS = (*lab_specs(), "lab_initializer_json")


def keep_lab_controls() -> None:
    for key in KEPT_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
