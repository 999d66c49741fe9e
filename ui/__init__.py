"""Streamlit drawing helpers shared by the pages (the engine itself lives in core/ and knows no Streamlit)."""
