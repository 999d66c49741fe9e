"""The live charts on a page: Streamlit custom components (v2, in the page's own DOM, no iframe).

`chart(...)` mounts one view with its spec; it is drawn with the page and stays while the run trains.
`feed(...)` sends a frame: the chunks of the run this browser lacks (core/stream). Both run
static/gradflow/live_charts.js, which the app serves itself with the Vega libraries (static/vendor/).
The module's URL carries a hash of its text, so a browser never keeps an old copy after an update.
"""
import hashlib
import json
from pathlib import Path

import streamlit as st

from core.charts.live_views import View
from core.stream.cursor import Cursor

MODULE = Path(__file__).resolve().parent.parent.parent / "static" / "gradflow" / "live_charts.js"
VERSION = hashlib.sha256(MODULE.read_bytes()).hexdigest()[:12]
# One import promise per page: every call awaits the same promise, so calls resume in the order they were made
# (two import() calls of one module may resolve in either order, and a mounting feed's first, older frame
# was applied after a newer one).
IMPORT = ("const modules = window.gfeLiveModules = window.gfeLiveModules || {}; "
          f"modules['{VERSION}'] = modules['{VERSION}'] || "
          f"import(new URL('app/static/gradflow/live_charts.js?v={VERSION}', document.baseURI).href); "
          f"const live = await modules['{VERSION}'];"
          # the data comes as JSON bytes (ui/live/wire.py)
          "const data = component.data instanceof Uint8Array ? "
          "JSON.parse(new TextDecoder().decode(component.data)) : component.data;")

_chart = st.components.v2.component("gradflow_chart", html="", isolate_styles=False, js=f"""
export default async function (component) {{
  {IMPORT}
  return live.chart(component.parentElement, data);
}}""")

_feed = st.components.v2.component("gradflow_feed", html="", isolate_styles=False, js=f"""
export default async function (component) {{
  {IMPORT}
  live.feed(component.parentElement, data, (value) => component.setStateValue('request', value));
}}""")


def chart(view: dict, key: str):
    """One live view (core/charts/live_views.py); the same key keeps it on the page across reruns."""
    data = view.json_bytes if isinstance(view, View) else json.dumps(view).encode()
    _chart(key=key, data=data, height="content")


def _ignore():
    """The feed's requests are read where the frame is made (feed), not in a callback."""


def _requested(state):
    """The browser's last request, from the component's state (a mapping Streamlit wraps); checked later."""
    try:
        return state.get("request") if state is not None else None
    except Exception:  # anything the browser sent is only a hint, and never breaks the page
        return None


def feed(stream, record, key: str = "lab_feed"):
    """Encode what `record` adds to the run's stream (once per run), and send this browser what it lacks."""
    stream.update(record)
    cursors = st.session_state.setdefault("stream_cursors", {})
    cursor = cursors.setdefault(key, Cursor())
    request = _requested(st.session_state.get(key))
    frame = cursor.payload(stream, request, upto=len(record.steps))
    _feed(key=key, data=json.dumps(frame, separators=(",", ":")).encode(), height=0, on_request_change=_ignore)
