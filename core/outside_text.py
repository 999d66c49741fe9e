"""Text from outside the app (link parameters, file and column names, records, CLI flags) inside its messages.

A message is a plain string in which every piece of outside text is wrapped by `outside()` between two
private-use characters. Outside text can never contain them: `visible()` turns every character that is not
printable (private-use ones included) into an escape such as \\n or \\ue000. Whoever shows a message
decides how the wrapped pieces look: `plain()` quotes them for a terminal, and ui/text.py shows them as
inline code on a page, where no Markdown, link, image or icon shortcode inside them is ever interpreted.
"""
import json
import re

QUOTED = ("\ue000", "\ue001")  # a string: 'text' in a terminal
LITERAL = ("\ue002", "\ue003")  # a structure (a Keras config dict, a list): as it is in a terminal
SHOWN_CHARACTERS = 80  # a longer text is cut to its first SHORTENED characters, with its length
SHORTENED = 60
PIECE = re.compile("([\ue000\ue002])(.*?)([\ue001\ue003])", re.DOTALL)
ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """text with every character that is not printable written as its escape (\\n, \\x00, \\u200b)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ESCAPES.get(c) or repr(c)[1:-1] for c in text)


def shortened(text: str) -> tuple:
    """(what is shown, the note on its length): a long text is cut, and says how long it was."""
    shown = visible(text)
    if len(shown) <= SHOWN_CHARACTERS:
        return shown, ""
    kept, length = [], 0
    for character in text:  # whole characters, so that an escape is never cut in half
        kept.append(visible(character))
        length += len(kept[-1])
        if length >= SHORTENED:
            break
    return "".join(kept) + "…", f" ({len(text)} characters)"


def outside(value, quoted: bool = True) -> str:
    """value, from outside the app, marked for any message: numbers as they are, strings and structures
    wrapped (shortened with their length when long). quoted=False: a terminal shows a string unquoted (a
    name in a legend)."""
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, str):
        (start, end), text = QUOTED if quoted else LITERAL, value
    else:
        start, end = LITERAL
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    shown, note = shortened(text)
    return f"{start}{shown}{end}{note}"


def pieces(message: str):
    """(app text, outside text or None, 'quoted' or 'literal' or None) in order; joins back to the message."""
    at = 0
    for match in PIECE.finditer(message):
        yield message[at:match.start()], match.group(2), "quoted" if match.group(1) == QUOTED[0] else "literal"
        at = match.end()
    yield message[at:], None, None


def plain(message) -> str:
    """The message for a terminal or a file: strings in single quotes, structures as they are."""
    out = []
    for text, piece, kind in pieces(str(message)):
        out.append(text)
        if piece is not None:
            out.append(f"'{piece}'" if kind == "quoted" else piece)
    return "".join(out)
