"""Messages on a page: the app's own text is Markdown; text from outside (marked by core.outside_text) is shown
literally, as inline code.

Why inline code and not backslash escapes: Streamlit's Markdown turns the *text* of a paragraph, escapes
already removed, into links (https://..., www..., name@host), emoji and icons (:smile:, :material_x:) and
arrows (' -> '). Code spans are never touched by those, nor by links, images, emphasis or directives. The one
thing Streamlit rewrites before parsing, inside code too, is ':material/' (to ':material_'), so a code span
is split there: the slash stands between two code spans, as an escaped character of its own.
"""
import re

import streamlit as st

from core.outside_text import pieces

RUN_OF_BACKTICKS = re.compile("`+")
AFTER_MATERIAL = re.compile("(?<=:material)/")


def code_span(text: str) -> str:
    """text as one Markdown code span, shown exactly: its fence is longer than any run of backticks inside,
    and a space pads it where CommonMark would strip one (a leading or trailing space or backtick)."""
    fence = "`" * (max((len(run) for run in RUN_OF_BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.strip(" ") and (text[0] in " `" or text[-1] in " `") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def literal(text: str) -> str:
    """Outside text as Markdown that shows it character for character."""
    if not text:
        return "*(empty)*"
    return "\\/".join(code_span(part) if part else "" for part in AFTER_MATERIAL.split(text))


def markdown(message) -> str:
    """A message (core.outside_text) as Markdown: the app's text as it is, outside text literal."""
    return "".join(text + (literal(piece) if piece is not None else "") for text, piece, _ in pieces(str(message)))


def warning(message, icon=":material/warning:"):
    st.warning(markdown(message), icon=icon)


def error(message, icon=":material/error:"):
    st.error(markdown(message), icon=icon)


def info(message, icon=None):
    st.info(markdown(message), icon=icon)


def caption(message):
    st.caption(markdown(message))
