"""Your own CSV in the data group (the Lab's sidebar, Compare's shared data): the uploader, the label column,
a summary of the data set, or its problems listed. A bad file never replaces the data in use, so the
previous run stays on the page.

A file is read once per session (by its Streamlit file id, then by its hash) and checked once per label
column; the checked data set goes into the server's store (core/engine/upload_store.py), where the session
keeps only its name."""
import hashlib

import streamlit as st

from core.engine.upload_store import STORE
from core.engine.uploads import MAX_CLASSES, SHOWN_PROBLEMS, UploadError, check_table, read_table
from core.limits import current_limits
from core.outside_text import outside
from ui import text
from ui.controls.specs import UPLOAD_CHOICE
from ui.text import markdown

FALLBACK = "spirals"


def chosen_dataset(state, prefix: str) -> str:
    """The dataset a config with the "your own CSV" choice uses: the session's upload while the server has it,
    else the built-in set the student had before (so nothing disappears while no CSV is loaded)."""
    name = state.get(prefix + "upload_name")
    return name if name in STORE else state.get(prefix + "data_fallback", FALLBACK)


def _read(prefix: str, uploaded) -> dict:
    """What this session knows of the uploaded file: its columns or why it cannot be read, and the label
    columns already checked (name or error). Reads the bytes only for a file it has not seen."""
    memo = st.session_state.get(prefix + "upload_memo")
    if memo is not None and memo["file_id"] == uploaded.file_id:
        return memo
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if memo is not None and memo["digest"] == digest:
        memo["file_id"] = uploaded.file_id  # the same bytes uploaded again
        return memo
    memo = {"file_id": uploaded.file_id, "digest": digest, "filename": uploaded.name, "columns": [],
            "error": None, "checked": {}}
    try:
        table = read_table(data, uploaded.name)
        memo["columns"] = table.columns
        label = table.default_label()
        memo["checked"][label] = _check(table, label)
        st.session_state[prefix + "upload_label"] = label  # a new file starts at its own label column
    except UploadError as error:
        memo["error"] = error
    st.session_state[prefix + "upload_memo"] = memo
    return memo


def _check(table, label):
    try:
        return STORE.put(check_table(table, label))
    except UploadError as error:  # a bad table, or a data set larger than the whole store
        return error


def _checked(memo: dict, label: str, uploaded):
    """The upload's name for this label column, or its UploadError; re-reads the bytes for a new column only."""
    result = memo["checked"].get(label)
    if isinstance(result, str) and result not in STORE:
        result = None  # dropped from the store meanwhile: check again
    if result is None:
        try:
            result = _check(read_table(uploaded.getvalue(), uploaded.name), label)
        except UploadError as error:
            result = error
        memo["checked"][label] = result
    return result


def show_error(error: UploadError, filename: str) -> str:
    """The problem, and the cells it concerns, as a student can fix them in a spreadsheet; returns a line for
    the top of the page."""
    lines = [f"**{outside(filename) if filename else 'The file'} cannot be used.** {error.headline}"]
    lines += [f"- {problem}" for problem in error.problems[:SHOWN_PROBLEMS]]
    if len(error.problems) > SHOWN_PROBLEMS:
        lines.append(f"- … and {len(error.problems) - SHOWN_PROBLEMS} more")
    if error.problems:
        lines.append("\nRows count the header as row 1, as in a spreadsheet.")  # a paragraph, not the last item
    text.error("\n".join(lines))
    return (f"{outside(filename) if filename else 'The uploaded file'} cannot be used (its problems are listed under Data); the page keeps "
            "the data it had.")


def upload_controls(draw) -> list:
    """The uploader and the label column; sets <prefix>upload_name when a file checks out. Returns the
    messages for the top of the page (a file that cannot be used)."""
    prefix, limits, messages = draw.prefix, current_limits(), []
    uploaded = draw(st.file_uploader, "CSV file", type=["csv"], key="upload_file",
                    help=f"A header row, then one example per row: numeric feature columns and a label column "
                         f"(class names or integers, 2 to {MAX_CLASSES} classes). At most {limits.upload_mb} MB, "
                         f"{limits.samples} rows and {limits.input_dim} features on this server.")
    if uploaded is not None:
        memo = _read(prefix, uploaded)
        if memo["error"] is not None:
            messages.append(show_error(memo["error"], memo["filename"]))
        else:
            if st.session_state.get(prefix + "upload_label") not in memo["columns"]:
                st.session_state[prefix + "upload_label"] = memo["columns"][-1]
            label = draw(st.selectbox, "label column", memo["columns"], key="upload_label",
                         help="The column of classes the network learns to predict; the other columns are its inputs.")
            result = _checked(memo, label, uploaded)
            if isinstance(result, UploadError):
                messages.append(show_error(result, memo["filename"]))
            else:
                st.session_state[prefix + "upload_name"] = result
    _summary(prefix, uploaded, bool(messages))
    return messages


def _summary(prefix: str, uploaded, refused: bool):
    no_file = uploaded is None
    name = st.session_state.get(prefix + "upload_name")
    if name in STORE:
        data = STORE.get(name)
        classes = ", ".join(f"{k} = {outside(c)}" for k, c in enumerate(data.class_names[:6]))
        classes += ", …" if len(data.class_names) > 6 else ""
        # Name the file in use when the uploader does not show it (forgotten) or shows a refused one.
        source = f"**In use: {outside(data.filename) if data.filename else 'your CSV'}**: " if no_file or refused else ""
        text.caption(f"{source}{data.summary()}. Classes: {classes}. Features are standardized; a run uses "
                   f"min(samples, rows) rows, shuffled by the seed.")
        return
    fallback = st.session_state.get(prefix + "data_fallback", FALLBACK)
    if name is not None:
        text.warning(f"Your CSV ({outside(name)}) is no longer on this server; upload it again. Until then runs use "
                   f"{fallback}.", icon=":material/warning:")
    elif no_file:
        st.info(f"Upload a CSV to train on it. Until then runs use {fallback}.", icon=":material/upload_file:")


def data_title(config) -> str:
    """The Data view's heading: for a CSV, which of its columns are the axes."""
    if config.dataset in STORE:
        data = STORE.get(config.dataset)
        if data.input_dim == 2:  # one line, so the view lines up with the profile beside it
            across, up = (outside(name if len(name) <= 20 else name[:19] + "…") for name in data.feature_names)
            return markdown(f"**Data** — {across} across, {up} up")
    return "**Data**"


def remember_builtin(prefix: str, choice: str):
    """The built-in set to fall back on while no CSV is loaded."""
    if choice != UPLOAD_CHOICE:
        st.session_state[prefix + "data_fallback"] = choice
