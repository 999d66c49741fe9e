"""The server's uploaded data sets, shared by every session and bounded in bytes.

A RunConfig names an upload as dataset "upload:<12 hex digits>" (a hash of the file and its label column),
so configs stay small, hashable and picklable, and two students who upload the same file share one copy.
The store keeps the most recently used sets within GRADFLOW_UPLOAD_STORE_MB; older ones are dropped, and a
config (or a lesson link) that names a dropped set gets a message asking for the file again.
"""
import os
import threading
from collections import OrderedDict

from core.engine.uploads import UploadedData, UploadError

STORE_VARIABLE = "GRADFLOW_UPLOAD_STORE_MB"
DEFAULT_STORE_MB = 256


class UploadGone(ValueError):
    """A config names an upload this server no longer has (restarted, or made room for newer uploads)."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"dataset = {name!r} names an uploaded CSV that this server no longer has (uploads live in "
                         "the server's memory, and a restart or newer uploads drop old ones); upload the CSV again")


class UploadStore:
    """Uploaded data sets by name, least recently used dropped first, at most max_bytes in all."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._sets = OrderedDict()
        self._lock = threading.Lock()  # sessions and training threads read it at once

    @classmethod
    def from_environment(cls, environ=None) -> "UploadStore":
        environ = os.environ if environ is None else environ
        raw = (environ.get(STORE_VARIABLE) or "").strip()
        try:
            megabytes = int(raw) if raw else DEFAULT_STORE_MB
        except ValueError:
            raise ValueError(f"{STORE_VARIABLE}={raw!r} is not an integer; a positive integer is allowed") from None
        if megabytes < 1:
            raise ValueError(f"{STORE_VARIABLE}={megabytes} must be a positive integer")
        return cls(megabytes * 1024 * 1024)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(data.nbytes for data in self._sets.values())

    def __contains__(self, name) -> bool:
        with self._lock:
            return name in self._sets

    def names(self) -> list:
        with self._lock:
            return list(self._sets)

    def put(self, data: UploadedData) -> str:
        """Keep `data` (the most recently used now), dropping the least recently used to stay in bounds."""
        if data.nbytes > self.max_bytes:
            raise UploadError("data set in memory", f"{data.nbytes / 1024 / 1024:.1f} MB",
                              f"at most {self.max_bytes / 1024 / 1024:.0f} MB (the host's limit, set by {STORE_VARIABLE})")
        with self._lock:
            self._sets[data.name] = data
            self._sets.move_to_end(data.name)
            total = sum(kept.nbytes for kept in self._sets.values())
            while total > self.max_bytes:
                _, dropped = self._sets.popitem(last=False)
                total -= dropped.nbytes
        return data.name

    def get(self, name: str) -> UploadedData:
        """The data set called `name`; raises UploadGone when this server does not have it."""
        with self._lock:
            if name not in self._sets:
                raise UploadGone(name)
            self._sets.move_to_end(name)
            return self._sets[name]


STORE = UploadStore.from_environment()  # one per server process
