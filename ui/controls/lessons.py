"""Lesson presets in the pages: a picker grouped by topic, the note on what to look for, and the Lab's and
Compare's link handling in one call each (so the pages only add a line or two)."""
import dataclasses

import streamlit as st

from core.config import ConfigError
from core.lessons import presets
from ui.controls import links


def _label(choice):
    if choice is None:
        return "—"
    name, run = choice
    preset = presets.BY_NAME[name]
    return f"{preset.topic} · {preset.title}" + (f" · {preset.labels[run - 1]}" if run else "")


def preset_note(name, run=None):
    """What to look for, and where it comes from."""
    preset = presets.BY_NAME[name]
    where = f" (this is run {run} of {len(preset.runs)}: {preset.labels[run - 1]}; Compare shows them side by side)" if run else ""
    st.info(f"**Lesson: {preset.title}**{where}. {preset.look_for}  \n*{preset.paper}.*", icon=":material/school:")


def _pick_for_lab():
    choice = st.session_state["lab_preset_pick"]
    if choice is None:
        return
    name, run = choice
    try:
        config = presets.BY_NAME[name].configs[run - 1]
    except ConfigError as error:
        links.dismiss_messages("lab")
        st.session_state["lab_link_messages"] = [f"The preset does not fit this host's limits: {error}."]
        return
    links.apply_config(config, "lab_")
    lesson = st.session_state["lab_link_lesson"]
    st.session_state["lab_link_lesson"] = dataclasses.replace(lesson, preset=name, run=run)


def lab_start():
    """Before the Lab's controls: restore a link (once per session) and offer the presets."""
    lesson = links.restore_once("lab", comparison=False)
    options = [None] + [(p.name, run) for group in presets.by_topic().values() for p in group
                        for run in range(1, len(p.runs) + 1)]
    if lesson.preset and "lab_preset_pick" not in st.session_state:
        st.session_state["lab_preset_pick"] = (lesson.preset, lesson.run)
    with st.sidebar:
        st.selectbox("Lesson preset", options, key="lab_preset_pick", format_func=_label, on_change=_pick_for_lab,
                     help="A configuration from the literature, with what to look for. Compare shows each "
                          "preset's runs side by side.")
    return st.session_state["lab_link_lesson"]


def lab_follow(config):
    """After the Lab's controls: the URL follows them, the preset's note while it applies, the link to copy."""
    lesson = st.session_state["lab_link_lesson"]
    lesson = dataclasses.replace(lesson, configs=(config,))
    lesson = dataclasses.replace(lesson, preset=links.current_preset(lesson, [config]))
    links.follow(lesson)
    if lesson.preset:
        preset_note(lesson.preset, lesson.run)
    with st.sidebar:
        links.copy_link_control(lesson, "lab")


# --- Compare ---------------------------------------------------------------------------------------------

SHARED = ("dataset", "samples", "noise", "input_dim", "batch_size", "steps", "seed")  # same data for every run
SHARED_UPLOAD = ("upload_name", "data_fallback")  # run 1's CSV (ui/controls/upload.py), when it has one


def _pick_for_compare():
    name = st.session_state["cmp_preset_pick"]
    if name is None:
        return
    preset = presets.BY_NAME[name]
    try:
        configs = preset.configs
    except ConfigError as error:
        links.dismiss_messages("cmp")
        st.session_state["cmp_link_messages"] = [f"The preset does not fit this host's limits: {error}."]
        return
    for number, config in enumerate(configs, start=1):
        links.apply_config(config, f"cmp{number}_")
    st.session_state["cmp_count"] = len(preset.runs)
    st.session_state["cmp_link_lesson"] = dataclasses.replace(st.session_state["cmp_link_lesson"], preset=name)


def compare_start(lab_config):
    """Before Compare's controls: restore a link (once per session), else start every run from the Lab's
    configuration; offer the comparison presets."""
    lesson = links.restore_once("cmp", comparison=True)
    st.session_state.setdefault("cmp_count", 2)
    for number in range(1, 5):
        if f"cmp{number}_depth" not in st.session_state:
            links.apply_config(lab_config, f"cmp{number}_")
    if lesson.preset and "cmp_preset_pick" not in st.session_state:
        st.session_state["cmp_preset_pick"] = lesson.preset
    options = [None] + [p.name for group in presets.by_topic(comparisons=True).values() for p in group]
    st.selectbox("Lesson preset", options, key="cmp_preset_pick", on_change=_pick_for_compare,
                 format_func=lambda name: "—" if name is None else f"{presets.BY_NAME[name].topic} · {presets.BY_NAME[name].title}",
                 help="A comparison from the literature, with what to look for.")
    return st.session_state["cmp_link_lesson"]


def share_data(count):
    """Every run trains on run 1's data, seed and schedule."""
    for number in range(2, count + 1):
        for name in SHARED:
            st.session_state[f"cmp{number}_{name}"] = st.session_state[f"cmp1_{name}"]
        for name in SHARED_UPLOAD:
            if f"cmp1_{name}" in st.session_state:
                st.session_state[f"cmp{number}_{name}"] = st.session_state[f"cmp1_{name}"]


def compare_follow(configs):
    lesson = dataclasses.replace(st.session_state["cmp_link_lesson"], configs=tuple(configs))
    lesson = dataclasses.replace(lesson, preset=links.current_preset(lesson, configs))
    links.follow(lesson)
    with st.sidebar:
        links.copy_link_control(lesson, "cmp")
    return lesson
