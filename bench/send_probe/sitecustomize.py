"""A probe for the class freeze (docs/benchmarks.md): the server logs each send Streamlit refuses and each
session it disconnects, with the time since it started.

Run: PROBE_WS=1 PYTHONPATH=bench/send_probe .venv/bin/python bench/load.py --sessions 30 --client websocket
A class that does not finish keeps the server's log in artifacts/load-server-*.log; grep it for PROBE.
It patches Streamlit's private StarletteSessionClient.write_forward_msg and Runtime.disconnect_session, in
the server only (its Dask workers inherit PROBE_DONE and skip it). Never used by the app or the tests.
"""
import sys, time, os
if os.environ.get("PROBE_WS") and not os.environ.get("PROBE_DONE"):
    os.environ["PROBE_DONE"] = "1"  # workers inherit it: only the server patches
    from collections import Counter
    from streamlit.web.server.starlette import starlette_websocket as w
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime import runtime as rt
    T0 = time.monotonic()
    orig = w.StarletteSessionClient.write_forward_msg
    def write(self, msg):
        try:
            return orig(self, msg)
        except w.SessionClientDisconnectedError:
            kinds = Counter()
            for payload in list(self._send_queue._queue):
                m = ForwardMsg(); m.ParseFromString(payload); kinds[m.WhichOneof("type")] += 1
            sys.stderr.write(f"PROBE refused at {time.monotonic()-T0:.1f}s: queue {self._send_queue.qsize()} closed {self._closed.is_set()} sender done {self._sender_task.done()} kinds {dict(kinds)}\n")
            sys.stderr.flush()
            raise
    w.StarletteSessionClient.write_forward_msg = write
    orig_disc = rt.Runtime.disconnect_session
    def disc(self, session_id, *a, **k):
        sys.stderr.write(f"PROBE disconnect_session {session_id[:8]} at {time.monotonic()-T0:.1f}s\n"); sys.stderr.flush()
        return orig_disc(self, session_id, *a, **k)
    rt.Runtime.disconnect_session = disc
    sys.stderr.write("PROBE patched\n"); sys.stderr.flush()
