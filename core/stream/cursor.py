"""What one browser holds of the run it watches, so each frame sends it only what it lacks.

The server keeps, per session, how many chunks of which run it has sent (`sent`). The browser holds them in
its page (static/gradflow/live_charts.js) for as long as the page lives, across page switches. When the
browser finds a gap (it missed a frame, or its page was reloaded while the session lived on), it says how
many chunks it holds; that word is checked before it is believed: the count a whole number no larger than
what was sent, and each request is answered once. A browser that names another run (a stale one) is sent
all of the watched run. Every frame is numbered, so the browser can drop one that comes late.
"""
import uuid

from core.stream.chunks import RunStream


def checked_request(value, token: str, sent: int):
    """The chunk count a browser asks to restart from, and the request's number, or None for anything else
    (never raises). A browser that holds another run (a stale one, after a lost frame) is sent all of this one."""
    if not isinstance(value, dict) or not isinstance(value.get("run"), str):
        return None
    have, number = value.get("have"), value.get("request")
    if type(have) is not int or type(number) is not int:  # bool, float and str are not counts
        return None
    if value["run"] != token:
        return 0, number
    if not 0 <= have <= sent:
        return None
    return have, number


OVERLAP = 3  # frames each frame repeats: Streamlit's page may apply only the last of a few quick updates


class Cursor:
    """Sends each frame from where the browser stood `OVERLAP` frames ago, so a browser whose page applied
    only the latest of a few quick frames still has every chunk; a longer gap the browser reports itself."""

    def __init__(self):
        self.name = uuid.uuid4().hex[:8]  # with `frames`: the browser drops a frame older than one it applied
        self.frames = 0
        self.token = None
        self.sent = 0
        self.starts = []  # where the last OVERLAP frames started
        self.answered = set()  # request numbers already answered, for this run

    def payload(self, stream: RunStream, request=None, upto: int | None = None) -> dict:
        """The next frame for this browser: the chunks of `stream` after what it holds (up to `upto`)."""
        if stream.token != self.token:
            self.token, self.sent, self.starts, self.answered = stream.token, 0, [], set()
        asked, answer = checked_request(request, self.token, self.sent), None
        if asked is not None and asked[1] not in self.answered and len(self.answered) < 10_000:
            self.answered.add(asked[1])
            self.sent, self.starts, answer = asked[0], [], asked[1]
        self.starts = [*self.starts, self.sent][-OVERLAP:]  # a quiet frame moves on too: nothing is sent twice for long
        frame = stream.payload(self.starts[0], upto)
        self.sent = frame["count"]
        self.frames += 1
        frame = {**frame, "cursor": self.name, "frame": self.frames}
        if answer is not None:  # an answer may equal the last frame, which Streamlit's page would not pass on again
            frame["answer"] = answer
        return frame
