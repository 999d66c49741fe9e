"""Lesson links in the pages: restore the controls from the URL, keep the URL following the controls, and
offer a lesson link to copy (with the fields to lock or hide). The URL's format is core/lessons/links.py's."""
import json
from urllib.parse import urlencode

import streamlit as st

from core.config import ConfigError, default_record_every, is_upload
from core.initializer_table import COMMON_KERNEL_INITIALIZERS, variance_scaling
from core.lessons import presets
from core.lessons.links import FIELDS, IGNORED, Lesson, lesson_params, read_lesson
from core.outside_text import outside
from ui import text
from ui.controls.specs import UPLOAD_CHOICE

CONTROL_FIELDS = tuple(name for name in FIELDS if name != "record_every")  # the pages set record_every


def query_params() -> dict:
    return {key: st.query_params[key] for key in st.query_params}


def _on_grid(value, low, high, step) -> bool:
    return low <= value <= high and abs(round(value / step) * step - value) < 1e-9


def state_from_config(config, prefix: str) -> tuple:
    """The widget values that make `config` (the inverse of ui.controls.widgets.config_from_state); returns
    (values, messages) where the messages name what the controls cannot show exactly."""
    values = {prefix + name: getattr(config, name) for name in CONTROL_FIELDS
              if name not in ("initializer", "bias_initializer")}
    messages = []
    if is_upload(config.dataset):  # an uploaded CSV is the "your own CSV" choice, naming the upload
        values.update({prefix + "dataset": UPLOAD_CHOICE, prefix + "upload_name": config.dataset})
    kernel = config.initializer
    sigma = _sigma_w(kernel)
    if isinstance(kernel, str) and kernel in COMMON_KERNEL_INITIALIZERS:
        values.update({prefix + "init_mode": "named", prefix + "initializer": kernel})
    elif sigma is not None:
        values.update({prefix + "init_mode": "sigma_w", prefix + "sigma_w": sigma})
    else:
        text = kernel if isinstance(kernel, str) else json.dumps(kernel)
        values.update({prefix + "init_mode": "keras", prefix + "initializer_json": text})
    bias = _constant(config.bias_initializer)
    spread = _spread(config.bias_initializer)
    values[prefix + "bias_mode"] = "constant" if spread is None else "sigma_b"
    if spread is not None:
        values[prefix + "sigma_b"], bias = spread, 0.0
    elif bias is None:
        messages.append(f"bias_initializer = {outside(config.bias_initializer)} cannot be set with the bias slider "
                        "(a constant from -5 to 5 in steps of 0.1); using 0.")
        bias = 0.0
    values[prefix + "bias"] = bias
    if config.record_every != default_record_every(config.steps):
        messages.append(f"record_every = {config.record_every} is set by the page from the steps; using "
                        f"{default_record_every(config.steps)}.")
    return values, messages


def _sigma_w(kernel):
    for sigma in (round(0.1 + 0.05 * k, 2) for k in range(79)):
        if kernel == variance_scaling(sigma):
            return sigma
    return None


def _spread(bias):
    """sigma_b of a random N(0, sigma_b^2) bias on the σ_b slider's grid (0 to 2 in steps of 0.05), else None."""
    if isinstance(bias, dict) and bias.get("class_name") == "RandomNormal" and set(bias.get("config", {})) <= {"mean", "stddev"}:
        config = bias["config"]
        spread = config.get("stddev")
        if config.get("mean", 0.0) == 0 and isinstance(spread, (int, float)) and not isinstance(spread, bool) \
                and _on_grid(float(spread), 0.0, 2.0, 0.05):
            return float(spread)
    return None


def _constant(bias):
    if bias == "zeros":
        return 0.0
    if isinstance(bias, dict) and bias.get("class_name") == "Constant" and set(bias.get("config", {})) == {"value"}:
        value = bias["config"]["value"]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and _on_grid(float(value), -5.0, 5.0, 0.1):
            return float(value)
    return None


def apply_config(config, prefix: str) -> list:
    values, messages = state_from_config(config, prefix)
    for key, value in values.items():
        st.session_state[key] = value
    return messages


def restore_once(page: str, comparison: bool, prefix: str = "lab_") -> Lesson:
    """Read the URL once per session and page: set the controls from it (the Lab's, or Compare's runs); later
    reruns keep the session's own state (the URL then follows the controls). Returns the lesson (its preset,
    lock and hide)."""
    flag = f"{page}_link_lesson"
    if flag not in st.session_state:
        params = query_params()
        lesson, messages = read_lesson(params, comparison=comparison)
        if set(params) - set(IGNORED):  # any parameter at all: runs=3 or run2.depth=5 alone count too
            prefixes = [prefix] if not comparison else [f"cmp{n}_" for n in range(1, len(lesson.configs) + 1)]
            for prefix, config in zip(prefixes, lesson.configs):
                messages += apply_config(config, prefix)
            if comparison:
                st.session_state["cmp_count"] = len(lesson.configs)
        st.session_state[flag] = lesson
        st.session_state[f"{page}_link_messages"] = messages
    return st.session_state[flag]


def link_messages(page: str, shown_for) -> list:
    """The link's messages: kept until the student moves a control (shown_for, the page's settings, changes)
    or dismisses them, so that one who looks up late still learns what the link got wrong."""
    messages = st.session_state.get(f"{page}_link_messages") or []
    if messages and st.session_state.setdefault(f"{page}_link_messages_for", shown_for) != shown_for:
        dismiss_messages(page)
        return []
    return messages


def dismiss_messages(page: str):
    st.session_state.pop(f"{page}_link_messages", None)
    st.session_state.pop(f"{page}_link_messages_for", None)


def show_messages(page: str, shown_for, others=()):
    """The link's messages (with a button that dismisses them) and the page's own, as warnings."""
    kept = link_messages(page, shown_for)
    for message in list(kept) + list(others):
        text.warning(message)
    if kept:
        st.button("Dismiss", key=f"{page}_link_dismiss", icon=":material/close:", on_click=dismiss_messages,
                  args=(page,), help="Hide the link's messages (moving a control hides them too).")


def follow(lesson: Lesson):
    """The URL follows the controls (TensorFlow Playground does the same)."""
    params = lesson_params(lesson)
    if query_params() != params:
        st.query_params.from_dict(params)


def current_preset(lesson: Lesson, configs) -> str | None:
    """The lesson's preset while the configs are still the preset's (else the link would claim too much)."""
    preset = presets.BY_NAME.get(lesson.preset or "")
    if preset is None:
        return None
    try:
        expected = preset.configs if len(configs) > 1 else [preset.configs[lesson.run - 1]]
    except ConfigError:  # the preset does not fit this host
        return None
    return preset.name if list(configs) == list(expected) else None


def copy_link_control(lesson: Lesson, page: str):
    """A 'Copy lesson link' box: the URL of these settings, with the fields a teacher chose to lock or hide."""
    with st.expander("Copy lesson link", icon=":material/link:"):
        lock = st.multiselect("lock (shown, but disabled)", CONTROL_FIELDS, default=sorted(lesson.lock),
                              key=f"{page}_link_lock", help="Students see these controls but cannot change them.")
        hide = st.multiselect("hide", CONTROL_FIELDS, default=sorted(lesson.hide), key=f"{page}_link_hide",
                              help="Students do not see these controls; their values still count.")
        shared = Lesson(lesson.configs, lesson.preset, lesson.run, frozenset(lock), frozenset(hide))
        base = (st.context.url or "").split("?")[0]
        st.code(f"{base}?{urlencode(lesson_params(shared))}", language=None, wrap_lines=True)
        st.caption("Copy with the button at the right of the link. Opening it restores every setting exactly.")
