"""Live runs as a class server hosts them: threads, pause and resume, stop, a shared bounded cache."""
import threading

from core.config import RunConfig
from core.live import LabServer, LiveRun, RecordCache
from core.pool import TrainerPool

CONFIG = RunConfig(depth=3, width=8, steps=2000, record_every=20, samples=200)


def server(active=2):
    return LabServer(pool=TrainerPool(max_idle=2), cache=RecordCache(2), gate=threading.BoundedSemaphore(active))


def test_a_paused_run_keeps_its_frames_and_resumes_to_the_end():
    lab = server()
    run = LiveRun(CONFIG, lab)
    run.wait_for_frame(30)
    run.pause()
    assert run.status in ("paused", "finished")
    kept = len(run.snapshot.steps)
    run.resume()
    assert run.wait(120) and run.status == "finished"
    assert len(run.snapshot.steps) >= kept and run.snapshot.steps[-1] == 2000


def test_a_stopped_run_ends_cleanly_and_is_not_cached():
    lab = server()
    run = LiveRun(CONFIG.replace(seed=4), lab)
    run.wait_for_frame(30)
    run.stop()
    assert run.wait(30)
    assert run.status in ("stopped", "finished") and run.error is None
    if run.status == "stopped":
        assert lab.cache.get(run.key) is None


def test_identical_configs_train_once_per_server():
    lab = server()
    first = LiveRun(CONFIG.replace(steps=40), lab)
    assert first.wait(60)
    second = LiveRun(CONFIG.replace(steps=40), lab)
    assert second.from_cache and second.done and lab.runs_started == 1
    assert second.snapshot is first.snapshot


def test_record_cache_is_bounded():
    cache = RecordCache(2)
    for key in "abc":
        cache.put(key, key)
    assert len(cache) == 2 and cache.get("a") is None and cache.get("c") == "c"


def test_runs_beyond_the_gate_wait_in_a_queue():
    lab = server(active=1)
    first = LiveRun(CONFIG.replace(seed=7), lab)
    first.wait_for_frame(30)
    first.pause()
    second = LiveRun(CONFIG.replace(seed=8, steps=20), lab)
    assert not second.wait(1.0) and second.status == "queued"
    first.stop()
    assert second.wait(60) and second.status == "finished"
