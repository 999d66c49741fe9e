"""What the live-run tests share: a small run's configuration and a class server of its own for each test."""
import threading

from core.config import RunConfig
from core.engine.pool import TrainerPool
from core.serve.lab_server import LabServer
from core.serve.record_cache import RecordCache

CONFIG = RunConfig(depth=3, width=8, steps=2000, record_every=20, samples=200)


def server(active=2):
    """A LabServer with its own pool and cache, training at most `active` runs at once."""
    return LabServer(pool=TrainerPool(max_idle=2), cache=RecordCache(2**26), gate=threading.BoundedSemaphore(active))
