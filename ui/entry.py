"""Every page runs through app.py (its st.navigation, wide layout and shared sidebar).

Streamlit still has its old multipage mode for apps with a pages/ directory, and uses it until something
calls st.navigation: when the first visit to a freshly started server opens a page's own URL (a lesson link
to /compare, or /lab), Streamlit runs pages/compare.py on its own, app.py never runs, and every later
session of that server stays in the old mode. A page that finds itself run that way switches the mode off
and reruns, which runs app.py."""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def through_app():
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False  # what st.navigation itself sets
        st.rerun()
