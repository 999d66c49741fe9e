"""Lesson presets in the pages: a picker grouped by topic, the note on what to look for, and the Lab's and
Compare's link handling in one call each (so the pages only add a line or two)."""
import dataclasses

import streamlit as st

from core.lessons import presets
from ui import links


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
    links.apply_config(presets.BY_NAME[name].configs[run - 1], "lab_")
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
