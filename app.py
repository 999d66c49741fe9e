"""Gradient Flow Explorer: the entry point (`streamlit run app.py`). The page itself is ui/app_shell.py."""

# Streamlit runs this script as __main__. Dask's worker processes (sweeps, and runs with GRADFLOW_TRAIN_ON=workers)
# are spawned, and a spawned process imports its parent's main script as __mp_main__: it must not draw a page.
if __name__ != "__mp_main__":
    from ui.app_shell import run

    run()
