"""What the AppTest files share: the app's path, opening the Lab and Compare, waiting for a session's runs, and
stopping the runs a test left training (a test that does not wait for its run, a depth-100 trace say, must not
leave it running)."""
import json
import os
import time

from ui.live.wire import component_data

# Every AppTest session a test opens; conftest.py stops their runs after each test.
STARTED = []
APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")
# Small and quick: the Lab's behaviour does not depend on the size of the net.
LAB_QUICK = {"lab_steps": 60, "lab_samples": 300, "lab_width": 16}
# The Lab's charts: 11 views, 2 of theory beside the measurement, the chain rule's figures and factors, and the
# units that die
LAB_CHARTS = 16


def open_lab(started: list, state: dict):
    """A Lab session with these widget values, run once; `started` remembers it for stop_all."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120)
    started.append(app)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    return app


def start_lab(**state):
    """A Lab session of a small, quick net (LAB_QUICK) with these widget values over it, run once."""
    return open_lab(STARTED, {**LAB_QUICK, **state})


def open_compare(params=None, **state):
    """A session opening the Compare page, with these query parameters and widget values, run once."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120)
    STARTED.append(app)
    app.query_params.update(params or {})
    for key, value in state.items():
        app.session_state[key] = value
    app.switch_page("app_pages/compare.py")
    app.run()
    return app


def session_runs(app) -> list:
    """The Lab's and Compare's runs of this AppTest session."""
    runs = [app.session_state["lab_live"]] if "lab_live" in app.session_state else []
    return runs + (list(app.session_state["cmp_live"]) if "cmp_live" in app.session_state else [])


def run_until_done(app, key: str = "lab_live", timeout: float = 120):
    """Rerun the script once this session's run (or Compare's runs) finished (a browser would poll instead)."""
    deadline = time.time() + timeout
    while True:
        runs = app.session_state[key]
        if all(run.done for run in (runs if isinstance(runs, list) else [runs])):
            break
        assert time.time() < deadline, "the run did not finish"
        time.sleep(0.1)
    app.run()
    return app


def compare_until_done(app, timeout=180):
    """Rerun the script once every run of this session's Compare page finished."""
    return run_until_done(app, "cmp_live", timeout)


def stop_all(started: list) -> None:
    while started:
        for run in session_runs(started.pop()):
            run.stop()
            run.wait(60)


def open_link(params: dict, page: str = "app_pages/lab.py"):
    """A fresh session opening a link to `page` with these query parameters, run once; the page never raises."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120)
    STARTED.append(app)
    app.query_params.update(params)
    if page != "app_pages/lab.py":
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def live_charts(app) -> list:
    """The data of every live chart the page mounted (ui/live/charts.py): {"spec", "view"} each."""
    return [component_data(element.proto) for element in app.get("bidi_component")
            if element.proto.component_name == "gradflow_chart"]


def chart_specs(app) -> list:
    """Every chart's Vega-Lite spec: the live charts' and Streamlit's own."""
    return [chart["spec"] for chart in live_charts(app)] + [json.loads(chart.proto.spec)
                                                             for chart in app.get("vega_lite_chart")]


def feed_frames(app) -> list:
    """The frames the page's feed sent this run (core/stream): {"run", "from", "count", "header", "chunks"}."""
    return [component_data(element.proto) for element in app.get("bidi_component")
            if element.proto.component_name == "gradflow_feed"]
