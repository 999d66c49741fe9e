"""Text from outside on the real pages (AppTest): any parameter name or value of a link, and any CSV column
name or file name, appears in the page's messages exactly as typed, as inline code, and the page holds no
link or image that the app did not write (the app writes none in its text). Parsed with markdown-it-py; the
browser test (tests/test_browser_untrusted_text.py) checks what Chromium really draws."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.activation_table import ACTIVATIONS
from core.lessons.presets import BY_NAME
from apps import STARTED, open_lab, open_link
from helpers.outside_text import ATTACKS, PARSER, code_text

QUICK = {"steps": "0", "depth": "2", "width": "4", "samples": "50"}  # the link's own run is over at once
PAGES = ["app_pages/lab.py", "app_pages/compare.py", "app_pages/theory.py", "app_pages/sweep.py"]
KINDS = ("warning", "error", "info", "success", "caption", "markdown", "toast")
# Printable text, as a person types it into a link (a character that cannot be seen shows as its escape).
typed = st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=60)


def bodies(app) -> list:
    return [element.value for kind in KINDS for element in getattr(app, kind) if isinstance(element.value, str)]


def assert_no_outside_markup(app):
    for body in bodies(app):
        tokens = [child for token in PARSER.parse(body) if token.children for child in token.children]
        assert not {token.type for token in tokens} & {"link_open", "image", "html_inline"}, body
        assert not any(token.type == "html_block" for token in PARSER.parse(body)), body


def shown_literally(app, text: str) -> bool:
    """Some message of the page spells text in its code spans."""
    from core.outside_text import visible
    return any(visible(text) in code_text(body) for body in bodies(app)) if text.strip() else True


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("text", ATTACKS[:5] + ["__class__"])
def test_a_crafted_parameter_name_is_named_literally_on_every_page_that_reads_links(page, text):
    app = open_link(page=page, params={**QUICK, text: "1"})
    assert_no_outside_markup(app)
    assert shown_literally(app, text)


@pytest.mark.parametrize("page,key", [("app_pages/lab.py", "activation"), ("app_pages/lab.py", "lock"),
                                      ("app_pages/compare.py", "preset"), ("app_pages/compare.py", "run2.activation"),
                                      ("app_pages/theory.py", "activation"), ("app_pages/sweep.py", "initializer")])
@pytest.mark.parametrize("text", ATTACKS[:5])
def test_a_crafted_parameter_value_is_shown_literally(page, key, text):
    text = text.replace(",", ";") if key == "lock" else text  # lock= is a comma-separated list
    app = open_link(page=page, params={**QUICK, key: text})
    assert_no_outside_markup(app)
    assert shown_literally(app, text.strip())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.sampled_from(PAGES), name=typed, value=typed)
def test_any_parameter_name_and_value_appear_exactly_as_typed_and_draw_no_link_or_image(page, name, value):
    if name in ("embed", "embed_options") or value.strip() in ACTIVATIONS:
        return  # Streamlit's own parameters; a valid value is no message
    app = open_link(page=page, params={**QUICK, name: "1", "activation": value})
    assert_no_outside_markup(app)
    assert shown_literally(app, name)
    assert shown_literally(app, value.strip())


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=typed, filename=typed)
def test_any_csv_column_name_and_file_name_appear_exactly_as_typed_in_the_upload_error(column, filename):
    from core.outside_text import visible
    column = column.replace(",", ";").replace('"', "'").strip() or "x"  # one CSV header cell, as typed
    filename += ".csv"  # the uploader takes no other name
    app = open_lab(STARTED, {"lab_steps": 0, "lab_depth": 2, "lab_width": 4})
    app.selectbox(key="lab_dataset").set_value("your own CSV").run()
    rows = [f"a,{column},label"] + [f"{k},{'oops' if k == 3 else k},{k % 2}" for k in range(12)]
    app.file_uploader(key="lab_upload_file").set_value((filename, "\n".join(rows).encode(), "text/csv")).run()
    assert not app.exception
    assert_no_outside_markup(app)
    error = next(e.value for e in app.error if "cannot be used" in e.value)
    first, *problems = error.split("\n")
    assert visible(filename) in code_text(first)
    assert any(visible(column) in code_text(line) and "oops" in code_text(line) for line in problems), error


def test_a_preset_name_in_a_link_is_a_preset_or_named_literally():
    assert "[Log in again](https://evil.example/login)" not in BY_NAME
    app = open_link({"preset": "[Log in again](https://evil.example/login)"}, "app_pages/compare.py")
    assert_no_outside_markup(app)
    assert shown_literally(app, "[Log in again](https://evil.example/login)")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filename=typed, schema=typed)
def test_any_saved_run_file_name_and_record_field_appear_exactly_as_typed_when_refused(filename, schema):
    import json

    from core.outside_text import visible
    app = open_lab(STARTED, {"lab_steps": 0, "lab_depth": 2, "lab_width": 4})
    filename += ".json"  # the uploader takes no other name
    data = json.dumps({"schema": schema}).encode()
    app.file_uploader(key="lab_import_file").set_value((filename, data, "application/json")).run()
    assert not app.exception
    assert_no_outside_markup(app)
    error = next(e.value for e in app.error if "That file was not opened" in e.value)
    if schema != "gradflow.run/1":
        assert visible(schema) in code_text(error), error
