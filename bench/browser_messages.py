"""Record what a real Chromium sends back over Streamlit's websocket while it watches a live run, so that
bench/ws_student.py can speak the same messages (see its docstring).

Run: .venv/bin/python bench/browser_messages.py "http://127.0.0.1:PORT/?steps=5000&depth=60&seed=N"
against a `streamlit run app.py`. The page is reloaded mid-run; the back messages are decoded with
Streamlit's own protobufs and summarised: the shapes of the reruns (fragment or whole, timed or not, with
the feed's state or not) and the feed's frames received.
"""
import collections
import os
import sys

from playwright.sync_api import sync_playwright

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # for ui/
from ui.live.wire import component_data  # noqa: E402

RUNNING = "() => (document.querySelector('[data-testid=stProgress]') || {}).innerText?.includes('running · step')"


def record(url: str) -> tuple[list, list]:
    sent, received = [], []

    def on_websocket(ws):
        def on_sent(payload):
            message = BackMsg()
            message.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
            sent.append(message)

        def on_received(payload):
            if not isinstance(payload, bytes):
                return
            message = ForwardMsg()
            message.ParseFromString(payload)
            if (message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element"
                    and message.delta.new_element.WhichOneof("type") == "bidi_component"):
                component = message.delta.new_element.bidi_component
                if component.component_name.endswith("gradflow_feed"):
                    frame = component_data(component) or {}
                    received.append((message.delta.fragment_id, frame.get("run", "")[:8], frame.get("from"), frame.get("count")))

        ws.on("framesent", on_sent)
        ws.on("framereceived", on_received)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("websocket", on_websocket)
        page.goto(url)
        page.wait_for_function(RUNNING, timeout=120_000, polling=50)
        page.wait_for_timeout(3000)
        page.reload()  # mid-run: the new page holds no chunks and must ask for them
        page.wait_for_function(RUNNING, timeout=120_000, polling=50)
        page.wait_for_timeout(3000)
        browser.close()
    return sent, received


def main():
    sent, received = record(sys.argv[1])
    print("back messages:", dict(collections.Counter(m.WhichOneof("type") for m in sent)))
    shapes = collections.Counter()
    for message in sent:
        if message.WhichOneof("type") != "rerun_script":
            continue
        rerun = message.rerun_script
        feeds = [w for w in rerun.widget_states.widgets if w.id.endswith("lab_feed")]
        shapes[(bool(rerun.fragment_id), rerun.is_auto_rerun, len(feeds))] += 1
        for widget in feeds:
            print("feed state:", widget.WhichOneof("value"), widget.json_value[:200],
                  "fragment", bool(rerun.fragment_id), "timed", rerun.is_auto_rerun)
    print("reruns (fragment?, timed?, feed states):", dict(shapes))
    print("feed frames received:", len(received), received[:2], received[-2:])


if __name__ == "__main__":
    main()
