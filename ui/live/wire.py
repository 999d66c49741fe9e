"""How the live components' data travels: JSON text as the component's bytes (BidiComponent.bytes).

Streamlit's components v2 serialize a dict with json.dumps, and dump it again with sorted keys for the
element's identity: two encodings of every chart's spec on every page run, a fifth of the web process's time
with a class of 30 (py-spy, 2026-12-07). Bytes are sent as they are and identified by their hash, so a view is
encoded once (core/charts/live_views.py `View`) and a frame once per viewer. The page's script decodes them
(ui/live/charts.py); readers of the protocol (tests, bench/ws_student.py) call `component_data`.
"""
import json


def component_data(component):
    """The data of a BidiComponent element, whichever way it was sent: JSON bytes, or Streamlit's own JSON
    text. None when it has none, or it is not JSON."""
    field = component.WhichOneof("data")
    raw = component.bytes if field == "bytes" else component.json if field == "json" else None
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
