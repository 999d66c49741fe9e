"""How often a session watching a run train redraws its page: ten times a second while the server can
afford it, less often when a class shares one server.

Every watching session reruns the Lab's live views on a timer, and each rerun holds the server's
interpreter for tens of milliseconds. Thirty sessions at ten frames a second ask for more than a 2-core
server has, and the slider presses queue behind the redraws (bench/load.py). Past `full_rate_viewers`
watchers, each session's interval grows in proportion, so the server's total redraw work stays flat.
"""
import os

MAX_SLOWDOWN = 10.0  # ten frames a second becomes one at the slowest: the run still visibly moves


def full_rate_viewers(environ=None) -> int:
    """Watchers the server redraws at the full rate: GRADFLOW_FULL_RATE_VIEWERS, by default 4 per core."""
    environ = os.environ if environ is None else environ
    value = environ.get("GRADFLOW_FULL_RATE_VIEWERS")
    if value is None:
        return 4 * (os.cpu_count() or 1)
    try:
        viewers = int(value)
    except ValueError:
        viewers = 0
    if viewers < 1:
        raise ValueError(f"GRADFLOW_FULL_RATE_VIEWERS = {value!r} is not allowed: a whole number of at least 1")
    return viewers


def slowdown(viewers: int, full_rate: int) -> float:
    """By how much each watcher's redraw interval grows: 1 up to `full_rate` watchers, then in proportion."""
    return min(max(1.0, viewers / full_rate), MAX_SLOWDOWN)
