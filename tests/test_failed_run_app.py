"""A run that fails before its first frame (AppTest, real Streamlit): the page names the failure literally
and waits for nothing."""
import core.engine.run
from core.outside_text import plain
from apps import STARTED, open_lab


def test_a_run_that_fails_at_step_0_says_so_literally_and_leaves_no_starting_note(monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("Incompatible shapes: [3] vs. [2,32] [x](https://evil.example)")
        yield  # a generator, as train() is

    monkeypatch.setattr(core.engine.run, "train", failing)  # LiveRun imports it from there when a run starts
    app = open_lab(STARTED, {"lab_steps": 5, "lab_depth": 2, "lab_seed": 4242})
    run = app.session_state["lab_live"]
    run.wait(60)
    app.run()
    errors = [e.value for e in app.error]
    assert any(plain(e).startswith("The run failed: `RuntimeError: Incompatible shapes: [3] vs. [2,32] [x](https://evil.example)`")
               for e in errors), errors
    assert not any("Starting the run" in info.value for info in app.info)
