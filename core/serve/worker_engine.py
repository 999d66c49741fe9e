"""The web process's side of runs trained on Dask workers: a generator with `core.engine.run.train`'s interface.

One TrainerHost actor per worker (core/serve/trainer_host.py). A run goes to the worker that already holds
its architecture's traced trainer, else to the least busy one (as sweeps do, core.sweep.execute). The web
process long-polls the actor for pieces (core/serve/frames.py) and grows the record from them, so a LiveRun
(core/serve/live.py) draws, shares and caches it as a run trained here. The server's gate stays here: when
the worker's run is traced and asks for its turn, this side enters the LiveRun's `turn()` and tells the
worker to go. When the worker is lost mid-run (a native abort, SIGKILL), the run starts again on another
worker, from step 0, and `on_restart` tells its page why.
"""
import os
import threading
import time
import uuid
from collections import Counter, deque
from contextlib import ExitStack

from core.config import is_upload
from core.engine.upload_store import STORE
from core.serve.controls import Controls
from core.serve.frames import grow, held
from core.serve.retirement import RETIRE_MEMORY_FRACTION, retire_after_of  # when a worker is restarted
from core.serve.trainer_host import TrainerHost

POLL_WAIT_SECONDS = 1.0  # the long poll's longest wait: a stop or a lost worker is noticed within it
CALL_TIMEOUT_SECONDS = 30.0  # an actor call that takes longer than this means its worker is gone
RESTARTS = 2  # runs started again after their worker was lost, before the run fails
WAIT_FOR_WORKER_SECONDS = 60.0  # how long a run waits for a worker when none is up
LOST_SECONDS = 60.0  # a lost worker's address gets no runs for this long (a restarted worker has a new one)


class WorkerLost(Exception):
    """The worker training a run stopped answering (it crashed, or was killed)."""


class RunFailed(Exception):
    """The run failed on its worker; its message is the worker's (ValueError: ...), shown as it is."""


class WorkerEngine:
    """Trains LiveRuns on the workers of one Dask client."""

    def __init__(self, client, retire_after: int | None = None):
        self.client = client
        self.retire_after = retire_after or retire_after_of(os.environ)
        self._lock = threading.Lock()
        self._hosts = {}  # worker address -> (the actor's future, kept so the scheduler keeps the actor; its proxy)
        self._making = {}  # worker address -> the lock held while its actor is made
        self._homes = {}  # architecture -> the worker address that traced it
        self._training = Counter()  # worker address -> runs it trains now
        self._lost = {}  # worker address -> when a run there lost it
        self.latency = deque(maxlen=1000)  # seconds from a frame made on a worker to this process having it

    # --- where a run goes ---------------------------------------------------------------------------------

    def workers(self) -> list:
        """The workers a run may go to: the scheduler's, less those lost lately (the scheduler may list a killed
        worker for a moment, and a run placed there would wait for it)."""
        now = time.monotonic()
        with self._lock:
            self._lost = {address: at for address, at in self._lost.items() if now - at < LOST_SECONDS}
            lost = set(self._lost)
        return sorted(set(self.client.scheduler_info(n_workers=-1).get("workers", {})) - lost)

    def place(self, config) -> str:
        """The worker that traced this architecture, if it is still there; else the one training the fewest
        runs, then holding the fewest architectures (so two new architectures go to two workers)."""
        from core.sweep.execute import architecture

        key, deadline = architecture(config), time.monotonic() + WAIT_FOR_WORKER_SECONDS
        while True:
            workers = self.workers()
            with self._lock:  # checked again here: a worker being retired is marked lost under this lock
                workers = [address for address in workers if address not in self._lost]
                if workers:
                    home = self._homes.get(key)
                    if home not in workers:
                        homed = Counter(self._homes.values())
                        home = min(workers, key=lambda address: (self._training[address], homed[address], address))
                        self._homes[key] = home
                    self._training[home] += 1
                    return home
            if time.monotonic() >= deadline:
                raise WorkerLost(f"no Dask worker is running (waited {WAIT_FOR_WORKER_SECONDS:.0f} s)")
            time.sleep(0.5)  # a nanny is starting its worker again

    def home(self, config) -> str | None:
        """The worker that holds this architecture's traced trainer, as far as this engine knows."""
        from core.sweep.execute import architecture

        with self._lock:
            return self._homes.get(architecture(config))

    def _left(self, address):
        with self._lock:
            self._training[address] -= 1
            if self._training[address] <= 0:
                del self._training[address]

    def _forget_worker(self, address):
        with self._lock:
            self._lost[address] = time.monotonic()
            self._hosts.pop(address, None)
            self._homes = {key: home for key, home in self._homes.items() if home != address}

    def host(self, address):
        """The TrainerHost actor on that worker, made on first use; a run that asks while the warm-up makes it
        waits for that one rather than making a second."""
        with self._lock:
            kept = self._hosts.get(address)
            making = self._making.setdefault(address, threading.Lock())
        if kept is not None:
            return kept[1]
        with making:
            with self._lock:
                kept = self._hosts.get(address)
            if kept is not None:
                return kept[1]
            future = self.client.submit(TrainerHost, actor=True, pure=False, workers=[address],
                                        allow_other_workers=False, key=f"trainer-host-{uuid.uuid4().hex[:8]}")
            host = future.result(timeout=120)
            with self.client.as_current():  # binds the proxy to this client (it is not the default one)
                host.warm().result(timeout=120)
            with self._lock:
                kept = self._hosts.setdefault(address, (future, host))
        return kept[1]

    def warm_up(self) -> threading.Thread:
        """Start every worker's TrainerHost, each in a thread of its own, so the workers import TensorFlow at once
        and while the first page draws, not when a run first asks (about 3 s each on this 2-core machine)."""
        def start_host(address):
            try:
                self.host(address)
            except Exception:  # a worker that did not start: the first run placed there says so
                pass

        def start_hosts():
            cluster = getattr(self.client, "cluster", None)  # a local cluster's workers may still be starting
            if cluster is not None and getattr(cluster, "worker_spec", None):
                try:
                    self.client.wait_for_workers(len(cluster.worker_spec), timeout=120)
                except Exception:  # fewer came up: warm those
                    pass
            starting = [threading.Thread(target=start_host, args=(address,), daemon=True) for address in self.workers()]
            for thread in starting:
                thread.start()
            for thread in starting:
                thread.join()

        thread = threading.Thread(target=start_hosts, daemon=True, name="gradflow-warm-workers")
        thread.start()
        return thread

    def about(self) -> list:
        """Each worker's process, resident memory, traced trainers and runs training now."""
        return [self.host(address).about().result(timeout=CALL_TIMEOUT_SECONDS) for address in self.workers()]

    def devices(self) -> list:
        """Each worker's GPU names (an empty list for a CPU worker), for the device badge."""
        return [self.host(address).device_names().result(timeout=CALL_TIMEOUT_SECONDS) for address in self.workers()]

    # --- what a page asks of Keras -------------------------------------------------------------------------

    def _any_host(self):
        """The TrainerHost of the worker training the fewest runs now (an export is a second's work)."""
        workers = self.workers()
        if not workers:
            raise WorkerLost("no Dask worker is running")
        with self._lock:
            address = min(workers, key=lambda address: (self._training[address], address))
        return self.host(address)

    def keras_file(self, record) -> bytes:
        """The run's trained network as a `.keras` file, saved on a worker: this process has no Keras."""
        return self._any_host().keras_file(record.config, record.weights).result(timeout=CALL_TIMEOUT_SECONDS)

    def keras_code(self, config, classes: int) -> str:
        """The config's "Keras code" script, written on a worker (it asks Keras for the initializers' dicts)."""
        upload = None
        if is_upload(config.dataset) and config.dataset in STORE:
            upload = STORE.get(config.dataset)
        return self._any_host().keras_code(config.to_dict(), classes, upload).result(timeout=CALL_TIMEOUT_SECONDS)

    # --- a run --------------------------------------------------------------------------------------------

    def train(self, config, turn, on_phase, stopped, on_restart=None, controls=None):
        """Yield the growing record after every frame, as core.engine.run.train does; a new record object
        for step 0's preview, for the compiled run, and for a run started again on another worker."""
        controls = controls or Controls()
        for attempt in range(RESTARTS + 1):
            address = self.place(config)
            try:
                yield from self._attempt(address, config, turn, on_phase, stopped, controls)
                return
            except WorkerLost as lost:
                self._forget_worker(address)
                if attempt == RESTARTS or stopped():
                    raise
                if on_restart is not None:
                    on_restart(str(lost))
            finally:
                self._left(address)
                # in a thread: the run's page has its last frame already; the check asks the worker and may
                # restart it
                threading.Thread(target=self.retire_if_due, args=(address,), daemon=True).start()

    # --- bounded workers ----------------------------------------------------------------------------------

    def retire_if_due(self, address) -> bool:
        """Restart this worker's process (Dask's `restart_workers`, through its nanny) if it trains nothing now
        and has traced `retire_after` architectures, or holds RETIRE_MEMORY_FRACTION of its memory_limit.
        Never mid-run: a run or a sweep cell on it keeps it. True when it was restarted."""
        if getattr(self.client, "cluster", None) is None:
            return False  # a cluster the host runs (GRADFLOW_DASK_SCHEDULER) is theirs to bound, not this server's
        with self._lock:
            kept = self._hosts.get(address)
            if kept is None or self._training[address] or address in self._lost:
                return False
        try:
            about = kept[1].about().result(timeout=CALL_TIMEOUT_SECONDS)
            info = self.client.scheduler_info(n_workers=-1)["workers"][address]
        except Exception:  # the worker is gone already: a run placed there notices
            return False
        limit = info.get("memory_limit") or 0
        if about["built"] < self.retire_after and not (limit and about["rss_mb"] * 2**20 >= RETIRE_MEMORY_FRACTION * limit):
            return False
        with self._lock:
            if self._training[address] or address in self._lost:
                return False  # a run was placed there meanwhile, or another check is retiring it
            self._lost[address] = time.monotonic()  # from here no run is placed there (place() checks it)
        # a run this engine does not count (another server's), a sweep's cell, or data a sweep still needs
        held = [key for key in self.client.has_what([address]).get(address, ()) if not str(key).startswith("trainer-host-")]
        if about["training"] or self.client.processing([address]).get(address) or held:
            with self._lock:
                self._lost.pop(address, None)
            return False
        self._forget_worker(address)
        try:
            self.client.restart_workers([address], timeout=120, raise_for_error=False)
        except Exception:  # a worker without a nanny cannot be restarted: it stays out of placement for a while
            return False
        return True

    def _attempt(self, address, config, turn, on_phase, stopped, controls):
        run_id = uuid.uuid4().hex[:12]
        upload = None
        try:
            host = self.host(address)
            if is_upload(config.dataset) and not host.has_upload(config.dataset).result(timeout=CALL_TIMEOUT_SECONDS):
                upload = True  # this worker lacks the uploaded data set: it travels with the run, once per worker
        except Exception as error:
            raise WorkerLost(f"the worker {address} could not start the run ({type(error).__name__})") from error
        if upload:
            upload = STORE.get(config.dataset)  # UploadGone, naming the data set, when this server lost it too
        try:
            host.start(run_id, config.to_dict(), upload).result(timeout=CALL_TIMEOUT_SECONDS)
        except Exception as error:
            raise WorkerLost(f"the worker {address} could not start the run ({type(error).__name__})") from error
        controls.attach(host, run_id)
        record, serial, phase = None, 0, "starting"
        with ExitStack() as gate:
            try:
                while True:
                    if stopped():
                        host.stop(run_id)
                        return
                    try:
                        reply = host.frames(run_id, serial, *(held(record) if serial else (0, 0)), phase,
                                            POLL_WAIT_SECONDS).result(timeout=CALL_TIMEOUT_SECONDS)
                    except Exception as error:
                        raise WorkerLost(f"the worker training this run stopped ({type(error).__name__})") from error
                    if reply.get("gone"):
                        raise WorkerLost("the worker training this run no longer knows it (it was restarted)")
                    if reply["phase"] != phase:
                        phase = reply["phase"]
                        if phase == "queued":  # traced: the worker waits for `go`, and the gate is here
                            on_phase("queued")
                            gate.enter_context(turn())
                            host.go(run_id).result(timeout=CALL_TIMEOUT_SECONDS)
                            on_phase("running")
                        elif phase != "running":  # "running" was said when the turn came
                            on_phase(phase)
                    if reply["piece"] is not None:
                        self.latency.append(time.time() - reply["piece"]["published_at"])
                        record = grow(None if reply["serial"] != serial else record, reply["piece"])
                        serial = reply["serial"]
                        yield record
                    if reply["error"]:
                        raise RunFailed(reply["error"])
                    # the worker repeats a finished run's last piece until it is forgotten
                    if reply["done"] and (reply["piece"] is None or record is None or record.status != "running"):
                        return
            finally:
                try:
                    host.forget(run_id)  # not waited for: the worker drops the run's record
                except Exception:
                    pass
