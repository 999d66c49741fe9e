"""The server's cache of finished records, shared by every session and bounded in bytes.

Identical configs (seed included) give identical records, so a finished run is kept here by its
RunConfig.key() and the next session asking for it draws it at once instead of training it again. The bound
is in bytes, not records: a record's size grows with its steps and layers, and the cache must not grow the
server's memory without limit however the class's settings vary.
"""
import threading
from collections import OrderedDict


class RecordCache:
    """Least-recently-used cache of finished records, keyed by RunConfig.key() and bounded in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._records = OrderedDict()  # key -> (record, its bytes)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._records.get(key)
            if entry is None:
                return None
            self._records.move_to_end(key)
            return entry[0]

    def put(self, key, record):
        size = record.nbytes
        if size > self.max_bytes:
            return  # larger than the whole cache: keeping it would evict everything else
        with self._lock:
            if key in self._records:
                self.nbytes -= self._records.pop(key)[1]
            self._records[key] = (record, size)
            self.nbytes += size
            while self.nbytes > self.max_bytes:
                _, (_, evicted) = self._records.popitem(last=False)
                self.nbytes -= evicted

    def __len__(self):
        return len(self._records)
