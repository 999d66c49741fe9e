"""A bounded pool of Trainers, so runs with an already traced architecture skip tracing.

A Trainer holds a run's variables, so one is lent to one run at a time: two sessions training the same
architecture at once get two Trainers and never share weights.
"""
import threading
from collections import OrderedDict

from core.engine.trainer import Trainer


class TrainerPool:
    def __init__(self, max_idle: int = 4):
        self.max_idle = max_idle
        self._idle = OrderedDict()  # key -> list of idle Trainers, least recently used first
        self._lock = threading.Lock()
        self.built = 0  # Trainers (and so traces) made by this pool

    def acquire(self, config, input_dim: int, classes: int, device: str) -> Trainer:
        from core.engine.trainer import architecture_key

        key = architecture_key(config, input_dim, classes, device)
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                trainer = idle.pop()
                if not idle:
                    del self._idle[key]
                return trainer
            self.built += 1
        return Trainer(config, input_dim, classes, device)

    def release(self, trainer: Trainer) -> None:
        with self._lock:
            self._idle.setdefault(trainer.key, []).append(trainer)
            self._idle.move_to_end(trainer.key)
            evicted = []
            while sum(len(trainers) for trainers in self._idle.values()) > self.max_idle:
                oldest_key = next(iter(self._idle))
                evicted.append(self._idle[oldest_key].pop(0))
                if not self._idle[oldest_key]:
                    del self._idle[oldest_key]
        for trainer in evicted:
            trainer.release()  # nobody holds an idle trainer: its graphs can go

    def idle_count(self) -> int:
        with self._lock:
            return sum(len(trainers) for trainers in self._idle.values())
