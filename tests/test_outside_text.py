"""Outside text in messages: shown literally on a page (as inline code), quoted in a terminal, shortened with
its length when long. Checked against an independent Markdown parser (markdown-it-py, GitHub-flavoured, with
linkify): whatever the text, a message holds no link and no image, and its code spans spell the text."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import ConfigError
from core.outside_text import SHORTENED, SHOWN_CHARACTERS, outside, plain, visible
from helpers.outside_text import ATTACKS, code_text, inline_tokens
from ui.text import markdown


def shown_text(message: str) -> str:
    """What the parsed message reads as, its code spans and its text together."""
    return "".join(token.content for token in inline_tokens(message) if token.type in ("text", "code_inline"))


def assert_literal(message: str, text: str):
    types = {token.type for token in inline_tokens(message)}
    assert not types & {"link_open", "image", "html_inline"}, markdown(message)
    assert code_text(message) == visible(text), markdown(message)


@pytest.mark.parametrize("text", ATTACKS)
def test_a_crafted_text_in_a_message_is_inline_code_and_no_link_or_image(text):
    message = f"Link parameter {outside(text)} is unknown on this page; ignored."
    assert_literal(message, text)
    assert shown_text(message) == f"Link parameter {text} is unknown on this page; ignored."


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=SHOWN_CHARACTERS))
def test_any_short_text_is_spelled_exactly_by_its_code_spans(text):
    if len(visible(text)) > SHOWN_CHARACTERS:  # escapes made it long: the next test's case
        return
    assert_literal(f"lock: {outside(text)} is not a field", text)
    assert plain(outside(text)) == f"'{visible(text)}'"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=SHOWN_CHARACTERS + 1, max_size=400))
def test_a_long_text_is_shortened_and_says_how_long_it_was(text):
    message = outside(text)
    shown = visible(text)
    if len(shown) <= SHOWN_CHARACTERS:  # only printable characters count once; an escape is longer
        return
    kept = plain(message)[1:].split("…' (")[0]
    assert shown.startswith(kept) and SHORTENED <= len(kept) < SHORTENED + 10  # 10: the longest escape
    assert plain(message).endswith(f"…' ({len(text)} characters)")
    assert code_text(message) == kept + "…"


def test_characters_that_cannot_be_seen_are_written_as_escapes_and_cannot_forge_a_mark():
    text = "a\nb\x00c\u200bd\ue001e"
    assert visible(text) == "a\\nb\\x00c\\u200bd\\ue001e"
    assert plain(f"x {outside(text)} y") == "x 'a\\nb\\x00c\\u200bd\\ue001e' y"


def test_a_config_error_marks_the_value_and_an_unknown_field_name():
    error = ConfigError("__class__", "[x](https://evil.example)", "a RunConfig field")
    assert plain(error) == "'__class__' = '[x](https://evil.example)' is not allowed: a RunConfig field"
    assert_literal(str(error).split(" = ")[1], "[x](https://evil.example)")
    assert plain(ConfigError("depth", -5, "an integer from 1 to 100")) == \
        "depth = -5 is not allowed: an integer from 1 to 100"


def test_a_structure_is_shown_as_json_without_quotes_in_a_terminal():
    assert plain(outside({"class_name": "Constant", "config": {"value": [1, 2]}})) == \
        '{"class_name": "Constant", "config": {"value": [1, 2]}}'
