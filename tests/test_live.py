"""Live runs as a class server hosts them: threads, pause and resume, stop, a shared bounded cache."""
import threading
import time

from core.engine.pool import TrainerPool
from core.serve import grace
from core.serve.lab_server import LabServer
from core.serve.live import LiveRun
from core.serve.record_cache import RecordCache
from helpers.live import CONFIG, server


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
    run = LiveRun(CONFIG.replace(seed=4, steps=5000, record_every=50), lab)  # seconds of training: stopped long before its end
    run.wait_for_frame(30)
    run.stop()
    assert run.wait(30)
    assert run.status == "stopped" and run.error is None
    assert run.snapshot.steps[-1] < 5000 and lab.cache.get(run.key) is None


def test_identical_configs_train_once_per_server():
    lab = server()
    first = LiveRun(CONFIG.replace(steps=40), lab)
    assert first.wait(60)
    second = LiveRun(CONFIG.replace(steps=40), lab)
    assert second.from_cache and second.done and lab.runs_started == 1
    assert second.snapshot is first.snapshot


class Sized:
    def __init__(self, nbytes):
        self.nbytes = nbytes


def test_record_cache_is_bounded_in_bytes_and_evicts_the_least_recently_used():
    cache = RecordCache(max_bytes=1000)
    cache.put("a", Sized(400))
    cache.put("b", Sized(400))
    assert cache.get("a") is not None  # a is now more recently used than b
    cache.put("c", Sized(400))
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert cache.nbytes == 800
    cache.put("huge", Sized(5000))  # larger than the whole cache: not kept, nothing evicted for it
    assert cache.get("huge") is None and len(cache) == 2


def test_a_finished_run_is_cached_by_its_bytes(pool):
    lab = LabServer(pool=pool, cache=RecordCache(2**26), gate=threading.BoundedSemaphore(1))
    run = LiveRun(CONFIG.replace(steps=40, seed=21), lab)
    assert run.wait(60) and run.status == "finished"
    assert lab.cache.nbytes == run.snapshot.nbytes > 0


def test_runs_beyond_the_gate_wait_in_a_queue_and_see_their_place():
    lab = server(active=1)
    lab.gate.acquire()  # every slot is busy
    first = LiveRun(CONFIG.replace(seed=7, steps=20), lab)
    second = LiveRun(CONFIG.replace(seed=8, steps=20), lab)
    wait_for_status(first, ("queued",))
    wait_for_status(second, ("queued",))
    assert {first.queue_position, second.queue_position} == {1, 2}
    ahead, behind = sorted((first, second), key=lambda run: run.queue_position)
    lab.gate.release()
    assert ahead.wait(60) and ahead.status == "finished"
    assert behind.wait(60) and behind.status == "finished"
    assert ahead.queue_position is None and behind.queue_position is None


def test_a_paused_run_gives_its_slot_to_the_next_in_line():
    lab = server(active=1)
    first = LiveRun(CONFIG.replace(seed=9, steps=5000, record_every=50), lab)
    wait_for_status(first, ("running",))
    first.pause()
    second = LiveRun(CONFIG.replace(seed=10, steps=20), lab)
    assert second.wait(60) and second.status == "finished", "the paused run must not hold the only slot"
    first.resume()
    assert first.wait(120) and first.status == "finished"
    assert first.snapshot.steps[-1] == 5000


class LoggingGate:
    """The server's gate, remembering which threads ever held a slot."""

    def __init__(self, slots):
        self._semaphore = threading.BoundedSemaphore(slots)
        self.holders = []

    def acquire(self, blocking=True, timeout=None):
        taken = self._semaphore.acquire(blocking, timeout)
        if taken:
            self.holders.append(threading.current_thread().name)
        return taken

    def release(self):
        self._semaphore.release()


def wait_for_status(run, wanted, timeout=60):
    deadline = time.time() + timeout
    while run.status not in wanted:
        assert time.time() < deadline, f"the run stayed {run.status!r}, never {wanted}"
        time.sleep(0.005)


def test_a_run_superseded_while_queued_leaves_the_queue_without_a_slot():
    lab = server(active=1)
    lab.gate.acquire()  # every slot is busy
    run = LiveRun(CONFIG.replace(seed=11, steps=20), lab)
    wait_for_status(run, ("queued",))
    run.stop()
    assert run.wait(5), "a stopped run must not wait for a slot it no longer needs"
    assert run.status == "stopped" and not run.holds_slot
    lab.gate.release()


def test_a_run_superseded_while_compiling_never_takes_a_slot_and_the_next_run_trains():
    gate = LoggingGate(1)
    lab = LabServer(pool=TrainerPool(max_idle=4), cache=RecordCache(2**26), gate=gate)
    old = LiveRun(CONFIG.replace(depth=40, width=16, steps=40), lab)  # an architecture never traced
    wait_for_status(old, ("compiling",))
    assert old.snapshot is not None and old.snapshot.steps == [0], "step 0 is drawn before the trace"
    old.stop()
    new = LiveRun(CONFIG.replace(depth=2, steps=40), lab)
    assert new.wait(120) and new.status == "finished"
    assert old.wait(120) and old.status == "stopped"
    assert old._thread.name not in gate.holders
    assert new._thread.name in gate.holders


def test_a_run_stopped_before_its_preview_ends_never_traces():
    lab = server()
    run = LiveRun(CONFIG.replace(depth=12, width=16), lab)
    run.stop()
    assert run.wait(30) and run.status == "stopped"
    assert lab.pool.idle_count() <= 1
    assert all(not trainer.traced for trainers in lab.pool._idle.values() for trainer in trainers)


def test_a_run_whose_browser_has_gone_stops_and_frees_its_slot(monkeypatch):
    monkeypatch.setattr(grace, "GONE_GRACE_SECONDS", 0.2)
    gone = threading.Event()
    lab = server(active=1)
    run = LiveRun(CONFIG.replace(seed=31, steps=5000, record_every=50), lab, abandoned=gone.is_set)
    wait_for_status(run, ("running",))
    assert run.holds_slot
    gone.set()  # the student closed the tab
    assert run.wait(30) and run.status == "stopped"
    assert not run.holds_slot and lab.gate.acquire(timeout=1), "the slot is free for the next student"
    lab.gate.release()
    assert run.snapshot.steps[-1] < 5000, "it stopped mid-run"


def test_a_browser_that_reconnects_within_the_grace_period_keeps_its_run(monkeypatch):
    monkeypatch.setattr(grace, "GONE_GRACE_SECONDS", 60.0)
    blips = iter([True] * 5)  # disconnected for a few frames, then back
    lab = server(active=1)
    run = LiveRun(CONFIG.replace(seed=32, steps=200), lab, abandoned=lambda: next(blips, False))
    assert run.wait(60) and run.status == "finished"


def test_a_failing_run_reports_its_error_and_a_concurrent_run_finishes(monkeypatch):
    import core.engine.run  # LiveRun imports train from it when a run starts

    real_train = core.engine.run.train

    def train_or_fail(config, *args, **kwargs):
        frames = real_train(config, *args, **kwargs)
        if config.seed != 666:
            return frames

        def fails_mid_run():  # trains a few frames under its slot, then TensorFlow gives up
            for count, record in enumerate(frames):
                yield record
                if count == 2:
                    raise RuntimeError("ResourceExhaustedError: OOM when allocating tensor")
        return fails_mid_run()

    monkeypatch.setattr(core.engine.run, "train", train_or_fail)
    lab = server(active=2)
    healthy = LiveRun(CONFIG.replace(seed=33, steps=200), lab)
    failing = LiveRun(CONFIG.replace(seed=666, steps=2000, record_every=10), lab)
    assert failing.wait(30) and failing.status == "failed" and "OOM" in failing.error
    assert failing.snapshot is not None and failing.snapshot.steps, "what it recorded stays visible"
    assert healthy.wait(60) and healthy.status == "finished" and healthy.error is None
    assert not failing.holds_slot and lab.cache.get(failing.key) is None


def test_sessions_asking_for_the_same_settings_at_once_share_one_training_run():
    from core.serve.shared import open_run

    lab = server(active=1)
    config = CONFIG.replace(seed=41, steps=5000, record_every=50)  # seconds of training: paused long before its end
    students = [open_run(config, lab) for _ in range(5)]
    assert lab.runs_started == 1 and [s.joined for s in students] == [False, True, True, True, True]
    students[0].stop()  # the first student moves on: the others keep the run
    wait_for_status(students[1], ("running",))
    students[1].pause()  # one student pauses: their picture holds still, the run goes on for the others
    frozen = students[1].snapshot
    deadline = time.time() + 60
    while students[2].snapshot.steps[-1] <= frozen.steps[-1]:  # the others see it train on
        assert time.time() < deadline and not students[2].done, "the run went on for the others"
        time.sleep(0.01)
    assert students[1].snapshot is frozen and students[1].status == "paused"
    students[1].resume()
    assert students[2].wait(120) and students[2].status == "finished"
    assert students[3].snapshot.steps[-1] == 5000 and students[4].snapshot is students[3].snapshot
    assert students[1].snapshot.steps[-1] == 5000 and lab.runs_started == 1


def test_a_shared_run_stops_only_when_every_student_has_left():
    from core.serve.shared import open_run

    lab = server(active=1)
    config = CONFIG.replace(seed=42, steps=5000, record_every=50)
    first, second = open_run(config, lab), open_run(config, lab)
    wait_for_status(first, ("running",))
    first.stop()
    assert not second.wait(0.5), "still training for the second student"
    second.stop()
    assert second.wait(30) and second.status == "stopped" and not lab.inflight
    third = open_run(config, lab)  # the settings asked for again after everyone left: a fresh run
    assert not third.joined and lab.runs_started == 2
    third.stop()
    third.wait(30)
