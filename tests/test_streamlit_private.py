"""Each of Streamlit's private parts that ui/streamlit_private.py uses is still where it was: an upgrade that
moves one fails here, naming it, not in a lecture (a frozen page, a page that never notices a key press)."""
import asyncio
import collections
import inspect

from streamlit.runtime import runtime, session_manager
from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests, ScriptRequestType
from streamlit.web.server.starlette import starlette_server_config, starlette_websocket

from ui import streamlit_private
from ui.live.backlog import MOST_QUEUED


def test_the_pending_rerun_is_read_where_streamlit_keeps_it():
    requests = ScriptRequests()
    assert requests._state == ScriptRequestType.CONTINUE, streamlit_private.PENDING_RERUN
    requests.request_rerun(RerunData(query_string="a"))
    assert requests._state == ScriptRequestType.RERUN, streamlit_private.PENDING_RERUN
    assert isinstance(requests._rerun_data, RerunData) and requests._rerun_data.query_string == "a", streamlit_private.PENDING_RERUN
    assert streamlit_private.is_full_app_rerun(RerunData()), streamlit_private.PENDING_RERUN
    assert not streamlit_private.is_full_app_rerun(RerunData(fragment_id_queue=["live"])), streamlit_private.PENDING_RERUN


def test_the_session_registry_is_the_runtimes_session_manager():
    assert "self._session_mgr" in inspect.getsource(runtime.Runtime.__init__), streamlit_private.SESSION_REGISTRY
    for method in ("get_active_session_info", "is_active_session"):
        assert callable(getattr(session_manager.SessionManager, method, None)), (streamlit_private.SESSION_REGISTRY, method)
    assert "client" in session_manager.ActiveSessionInfo.__dataclass_fields__, streamlit_private.SESSION_REGISTRY


def test_the_send_queue_the_backlog_wait_reads_is_still_streamlits():
    names = starlette_websocket.StarletteSessionClient.__init__.__code__.co_names
    assert "_send_queue" in names and "_closed" in names, streamlit_private.SEND_QUEUE
    assert isinstance(asyncio.Queue()._queue, collections.deque), streamlit_private.SEND_QUEUE
    # the wait leaves room for a whole page (the Lab's is about 120 messages) before Streamlit drops a session
    assert starlette_server_config.WEBSOCKET_MAX_SEND_QUEUE_SIZE == 500 and MOST_QUEUED + 250 < 500, streamlit_private.SEND_QUEUE


def test_the_unflushed_queue_the_backlog_wait_counts_is_still_each_sessions_forward_msg_queue():
    from streamlit.runtime import app_session, forward_msg_queue

    assert "session" in session_manager.ActiveSessionInfo.__dataclass_fields__, streamlit_private.BROWSER_QUEUE
    assert "_browser_queue" in inspect.getsource(app_session.AppSession.__init__), streamlit_private.BROWSER_QUEUE
    assert "self._browser_queue.flush()" in inspect.getsource(app_session.AppSession.flush_browser_queue), streamlit_private.BROWSER_QUEUE
    queue = forward_msg_queue.ForwardMsgQueue()
    message = forward_msg_queue.ForwardMsg()
    message.script_finished = forward_msg_queue.ForwardMsg.FINISHED_SUCCESSFULLY
    queue.enqueue(message)
    queue.enqueue(message)
    assert len(queue) == 2, streamlit_private.BROWSER_QUEUE  # what the wait reads
    queue.clear(retain_lifecycle_msgs=True, fragment_ids_this_run=["live"])
    assert len(queue) == 2, streamlit_private.BROWSER_QUEUE  # a rerun's clear keeps them: why the wait counts them
    queue.flush()
    assert len(queue) == 0, streamlit_private.BROWSER_QUEUE


def test_the_problem_module_cleaner_is_what_each_script_run_calls():
    assert callable(getattr(script_runner, "_clean_problem_modules", None)), streamlit_private.PROBLEM_MODULE_CLEANER
    assert "_clean_problem_modules" in script_runner.ScriptRunner._run_script.__code__.co_names, streamlit_private.PROBLEM_MODULE_CLEANER
    cleaner = inspect.getsource(streamlit_private.STREAMLITS_PROBLEM_MODULE_CLEANER)
    assert "keras" in cleaner, streamlit_private.PROBLEM_MODULE_CLEANER  # what ui/keras_session.py stops


def test_the_cleaner_streamlit_calls_after_a_script_run_is_replaced_by_one_that_keeps_keras():
    from ui.keras_session import keep_keras_session

    keep_keras_session()
    assert script_runner._clean_problem_modules is not streamlit_private.STREAMLITS_PROBLEM_MODULE_CLEANER
    assert "keras" not in inspect.getsource(script_runner._clean_problem_modules)


def test_outside_a_server_every_reader_says_unknown():
    assert streamlit_private.pending_rerun() is None
    assert streamlit_private.session_registry() is None
    assert streamlit_private.queued_for_browser("any") is None
    assert streamlit_private.unflushed_for_browser("any") is None
