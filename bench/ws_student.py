"""A student without a browser: Streamlit's own protocol (protobuf over the websocket), for bench/load.py.

Browsers on the server's own 2 cores measure the browsers: thirty headless pages spent the first two
minutes parsing Streamlit's frontend while the server sat idle (a py-spy dump showed no script running).
This client asks the server for exactly what a browser asks for, and nothing is rendered:
- the first run of the lesson link (its query string), then the page's own reruns;
- the fragments' timed reruns at the intervals the server sets (`auto_rerun`), as the frontend's timers do;
- a key press on a slider: a rerun with that widget's new value. Streamlit keeps every other widget's value
  from the previous run, so only the changed widget is sent;
- the live feed (ui/live/charts.py, a custom component v2): it keeps the run's chunks as the page's script
  (static/gradflow/live_charts.js) does, and where a frame starts past what it holds (a missed frame, or a
  new run met midway) it asks from what it holds, as the page does: a fragment rerun with the component's
  state `{"request": {"run", "have", "request"}}`, which every later timed rerun of that fragment carries
  too. Recorded from a real Chromium reloaded mid-run (2026-12-05, commit b8e7c4a; bench/browser_messages.py): 2 whole runs, 31 timed
  fragment reruns without the state, 1 fragment rerun (not timed) with the request, then 28 timed ones
  carrying it: the same messages.
It reads the status line (the Lab's `st.progress` text) and counts exception elements.

It sends no keepalive pings, as a browser sends none (the server pings, and a browser's network stack answers).
The websockets library's own pings (every 20 s, closing the socket when a pong is 20 s late) can close the
socket of a student who reads slowly on purpose: the pong waits behind every byte already in flight. `ended` says why the socket stopped, so a page that stops changing fails with it.
"""
import asyncio
import json
import time
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from ui.live.wire import component_data


class StreamlitStudent:
    def __init__(self, base: str, query_string: str, bytes_per_second: float | None = None):
        """bytes_per_second: a slow link or a slow laptop, that takes the server's messages at this rate."""
        self.base, self.query_string = base, query_string
        self.bytes_per_second = bytes_per_second
        self.statuses = []  # every status line seen, in order
        self.received = []  # (time.monotonic(), bytes) of every message from the server
        self.status = ""
        self.sliders = {}  # label -> the latest Slider element
        self.exceptions = 0
        self.page_script_hash = ""
        self.feed = {"run": None, "chunks": 0, "frames": 0, "asks": 0}  # what the live feed holds, as the page's
        self._feed_state = None  # the feed component's state, sent with every later rerun of its fragment
        self._timers = {}  # fragment id -> its auto-rerun task
        self._socket = None
        self._reader = None
        self.ended = None  # why the server's messages stopped: a closed socket's code and reason, or an error

    async def open(self):
        address = urlsplit(self.base)
        self._socket = await websockets.connect(f"ws://{address.netloc}/_stcore/stream", subprotocols=["streamlit"],
                                                origin=self.base, max_size=None, open_timeout=120,
                                                ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        await self._rerun()

    async def close(self):
        for timer in self._timers.values():
            timer.cancel()
        if self._reader:
            self._reader.cancel()
        if self._socket:
            await self._socket.close()

    async def press(self, label: str, key: str):
        """ArrowRight or ArrowLeft on a slider or select slider, as the browser's keyboard handler moves it."""
        slider = self.sliders[label]
        direction = 1 if key == "ArrowRight" else -1
        state = WidgetState(id=slider.id)
        if slider.type == Slider.Type.SELECT_SLIDER:  # a value the server pushes comes as the option's text
            current = list(slider.options).index(slider.raw_value[0]) if slider.set_value else int(slider.default[0])
            index = min(max(current + direction, 0), len(slider.options) - 1)
            state.string_array_value.data[:] = [slider.options[index]]
        else:
            current = (slider.value if slider.set_value else slider.default)[0]
            state.double_array_value.data[:] = [min(max(current + direction * slider.step, slider.min), slider.max)]
        await self._rerun(widgets=[state])

    async def _rerun(self, widgets=(), fragment_id="", timed=True):
        message = BackMsg()
        message.rerun_script.query_string = self.query_string
        message.rerun_script.page_script_hash = self.page_script_hash
        message.rerun_script.widget_states.widgets.extend(widgets)
        if fragment_id:
            message.rerun_script.fragment_id = fragment_id
            message.rerun_script.is_auto_rerun = timed
            if self._feed_state is not None and self._feed_state[0] == fragment_id and not widgets:
                message.rerun_script.widget_states.widgets.append(self._feed_state[1])
        await self._socket.send(message.SerializeToString())

    async def _feed(self, component, fragment_id: str):
        """A live frame: keep its new chunks, or ask from what is held where it starts past that."""
        frame = component_data(component)
        if not isinstance(frame, dict) or not isinstance(frame.get("chunks"), list):
            return
        held = self.feed
        held["frames"] += 1
        if frame.get("run") != held["run"]:
            held.update(run=frame.get("run"), chunks=0)
        start = frame.get("from", 0)
        if start > held["chunks"]:
            held["asks"] += 1
            state = WidgetState(id=component.id)
            state.json_value = json.dumps({"request": {"run": held["run"], "have": held["chunks"], "request": held["asks"]}})
            self._feed_state = (fragment_id, state)
            await self._rerun(widgets=[state], fragment_id=fragment_id, timed=False)
            return
        held["chunks"] = max(held["chunks"], start + len(frame["chunks"]))

    async def _every(self, fragment_id: str, interval: float):
        while True:
            await asyncio.sleep(interval)
            await self._rerun(fragment_id=fragment_id)

    def _set_timer(self, fragment_id: str, interval: float):
        """Start, replace or (interval 0) cancel a fragment's auto-rerun timer."""
        if fragment_id in self._timers:
            self._timers.pop(fragment_id).cancel()
        if interval > 0:
            self._timers[fragment_id] = asyncio.create_task(self._every(fragment_id, interval))

    def why_silent(self) -> str:
        """What this student knows of a page that stopped changing: is its socket open, and what came last."""
        last = f"{time.monotonic() - self.received[-1][0]:.1f} s ago" if self.received else "never"
        return (f"the student's socket: {self.ended or 'open'}; {len(self.received)} messages received, the last "
                f"{last}; fragment timers running: {sum(not timer.done() for timer in self._timers.values())}")

    async def _read(self):
        try:
            await self._read_all()
            close = getattr(self._socket, "close_code", None)
            self.ended = f"closed by the server (code {close}, {getattr(self._socket, 'close_reason', '')!r})"
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a closed socket, or a message this client failed on: the test says which
            self.ended = f"stopped reading: {type(error).__name__}: {error}"
            raise

    async def _read_all(self):
        async for data in self._socket:
            self.received.append((time.monotonic(), len(data)))
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if self.bytes_per_second:  # not reading is what a busy browser does: the socket's buffers fill up
                await asyncio.sleep(len(data) / self.bytes_per_second)
            if kind == "new_session":
                self.page_script_hash = message.new_session.page_script_hash
                if not message.metadata.run.fragment_ids:  # a full run: it registers its fragments' timers anew
                    for fragment_id in list(self._timers):
                        self._set_timer(fragment_id, 0)
            elif kind == "auto_rerun":
                self._set_timer(message.auto_rerun.fragment_id, message.auto_rerun.interval)
            elif kind == "stop_auto_rerun":
                for fragment_id in message.stop_auto_rerun.fragment_ids:
                    self._set_timer(fragment_id, 0)
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                shown = element.WhichOneof("type")
                if shown == "progress" and " · step " in element.progress.text:
                    self.status = element.progress.text
                    self.statuses.append(self.status)
                elif shown == "slider":
                    self.sliders[element.slider.label] = element.slider
                elif shown == "exception":
                    self.exceptions += 1
                elif shown == "bidi_component" and element.bidi_component.component_name.endswith("gradflow_feed"):
                    await self._feed(element.bidi_component, message.delta.fragment_id)
