"""A probe for the class freeze (docs/benchmarks.md): the server logs each send Streamlit refuses and each
session it disconnects, with the time since it started.

Run: PROBE_WS=1 PYTHONPATH=bench/send_probe .venv/bin/python bench/load.py --sessions 30 --client websocket
A class that does not finish keeps the server's log in artifacts/load-server-*.log; grep it for PROBE.
It patches Streamlit's private StarletteSessionClient.write_forward_msg, Runtime.disconnect_session and
ForwardMsgQueue's clear and flush, in the server only. Never used by the app or the tests.
"""
import os
import sys
import time

# Only `python -m streamlit run`: bench/load.py itself, and the server's Dask workers (`-c ... spawn_main`),
# inherit PYTHONPATH and PROBE_WS too. (A PROBE_DONE flag set by the first process to load this was inherited
# from bench/load.py by the server, so until 2026-12-07 the server was never patched.)
if os.environ.get("PROBE_WS") and sys.orig_argv[1:4] == ["-m", "streamlit", "run"]:
    from collections import Counter

    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime import forward_msg_queue, runtime
    from streamlit.web.server.starlette import starlette_websocket

    STARTED = time.monotonic()
    Client = starlette_websocket.StarletteSessionClient
    streamlits_write, streamlits_disconnect = Client.write_forward_msg, runtime.Runtime.disconnect_session

    def log(line: str):
        sys.stderr.write(f"PROBE {line} at {time.monotonic() - STARTED:.1f} s\n")
        sys.stderr.flush()

    def write_forward_msg(self, msg):
        try:
            return streamlits_write(self, msg)
        except starlette_websocket.SessionClientDisconnectedError:
            kinds = Counter()
            for payload in list(self._send_queue._queue):
                message = ForwardMsg()
                message.ParseFromString(payload)
                kinds[message.WhichOneof("type")] += 1
            log(f"refused a send: queue {self._send_queue.qsize()}, closed {self._closed.is_set()}, "
                f"sender done {self._sender_task.done()}, kinds {dict(kinds)}")
            raise

    def disconnect_session(self, session_id, *args, **kwargs):
        log(f"disconnect_session {session_id[:8]}")
        return streamlits_disconnect(self, session_id, *args, **kwargs)

    # A session's browser queue that is not flushed grows, and each script start clears it on the event loop
    # (seen there in a frozen class's thread dumps): its size and what it holds, every 10 s while it is large.
    streamlits_clear, streamlits_flush = forward_msg_queue.ForwardMsgQueue.clear, forward_msg_queue.ForwardMsgQueue.flush
    last_said = {}

    flushing = set()  # queues inside flush(), whose own clear() is not a script start's

    def clear(self, *args, **kwargs):
        size, now = len(self._queue), time.monotonic()
        if id(self) not in flushing and size > 200 and now - last_said.get(id(self), 0) > 10:
            last_said[id(self)] = now
            kinds = Counter(message.WhichOneof("type") for message in self._queue)
            log(f"clear of a queue {id(self):x} holding {size} messages, {dict(kinds)}")
        return streamlits_clear(self, *args, **kwargs)

    flushes = Counter()

    def flush(self):
        flushes["all"] += 1
        if flushes["all"] % 2000 == 0:
            log(f"{flushes['all']} flushes so far")
        flushing.add(id(self))
        try:
            return streamlits_flush(self)
        finally:
            flushing.discard(id(self))

    Client.write_forward_msg = write_forward_msg
    runtime.Runtime.disconnect_session = disconnect_session
    forward_msg_queue.ForwardMsgQueue.clear = clear
    forward_msg_queue.ForwardMsgQueue.flush = flush
    log("patched")
