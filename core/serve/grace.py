"""The grace for vanished browsers: a Lab run or a sweep whose session has gone is let go only after a while.

A browser that reloads, or whose connection drops for a moment, looks gone; one back within the grace keeps
its work. A closed tab still frees its run's slot (core/serve/live.py) or its sweep's (core/sweep/execute.py)
long before Streamlit forgets the session, minutes later.
"""
import time

GONE_GRACE_SECONDS = 15.0  # a browser that reconnects within this keeps its run or sweep


class Grace:
    """Watches `abandoned()` (None: never gone) for the run or sweep that holds it; see expired()."""

    def __init__(self, abandoned=None):
        self.abandoned = abandoned
        self.gone_since = None  # time.monotonic() when the session was first seen gone; None while it is there

    def expired(self) -> bool:
        """True once `abandoned()` has said so for longer than GONE_GRACE_SECONDS; a session seen back starts
        the grace again."""
        if self.abandoned is None:
            return False
        if not self.abandoned():
            self.gone_since = None
        elif self.gone_since is None:
            self.gone_since = time.monotonic()
        else:
            return time.monotonic() - self.gone_since > GONE_GRACE_SECONDS
        return False
