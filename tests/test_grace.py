"""The grace for vanished browsers (core/serve/grace.py), which Lab runs and sweeps share."""
import time

from core.serve import grace
from core.serve.grace import Grace


def test_no_abandoned_never_expires():
    nobody = Grace(None)
    assert not any(nobody.expired() for _ in range(3))


def test_a_session_gone_longer_than_the_grace_expires_and_one_back_within_it_starts_again(monkeypatch):
    monkeypatch.setattr(grace, "GONE_GRACE_SECONDS", 0.5)
    gone = [True]
    watch = Grace(lambda: gone[0])
    assert not watch.expired(), "first seen gone: the grace starts"
    assert not watch.expired(), "still within the grace"
    time.sleep(0.6)
    assert watch.expired()
    gone[0] = False
    assert not watch.expired() and watch.gone_since is None, "back: the grace is forgotten"
    gone[0] = True
    assert not watch.expired(), "gone again: a new grace starts, not the old one"
