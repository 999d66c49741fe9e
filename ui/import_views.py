"""Open a saved run record (JSON) in the Lab or in Compare. A refused file leaves the page as it was."""
import streamlit as st

from core.config import RunConfig
from core.export.import_record import read_record
from core.limits import current_limits
from core.outside_text import outside
from ui import text

MAX_COMPARE_IMPORTS = 4


def _read(file):
    """(record, None) or (None, the reason it was refused)."""
    try:
        return read_record(file.getvalue(), file.name), None
    except ValueError as error:
        return None, str(error)


def _lab_uploaded():
    file = st.session_state.get("lab_import_file")
    if file is None:
        return
    record, error = _read(file)
    if error:
        st.session_state["lab_import_error"] = error
        st.toast("That file was not opened; the reason is under Open a saved run.", icon=":material/error:")
    else:
        close_lab_import()
        st.session_state["lab_imported"] = (file.name, record)
        st.session_state.pop("lab_import_error", None)


def lab_import_control():
    """In the sidebar: the uploader. Reading happens once, when the file changes."""
    with st.sidebar.expander("Open a saved run", icon=":material/upload_file:"):
        st.file_uploader("run record (JSON)", type=["json"], key="lab_import_file", on_change=_lab_uploaded,
                         help=f"A run record the Lab exported (Take it home → Run record), at most "
                              f"{current_limits().upload_mb} MB. It opens in place of the live run.")
        error = st.session_state.get("lab_import_error")
        if error:
            text.error(f"That file was not opened: {error}")


def lab_imported(config: RunConfig):
    """(file name, record, its config) of the record the Lab shows instead of the live run, or None. A control
    moved since the record was opened closes it: the student asked for a live run."""
    imported = st.session_state.get("lab_imported")
    if imported is None:
        return None
    if st.session_state.setdefault("lab_imported_over", config.key()) != config.key():
        close_lab_import()
        return None
    name, record = imported
    return name, record, RunConfig.from_dict(record.config)


def close_lab_import():
    st.session_state.pop("lab_imported", None)
    st.session_state.pop("lab_imported_over", None)


def _compare_uploaded():
    files = st.session_state.get("cmp_import_files") or []
    records, errors = [], []
    for file in files[:MAX_COMPARE_IMPORTS]:
        record, error = _read(file)
        if error:
            errors.append(f"{outside(file.name)}: {error}")
        else:
            records.append((file.name, record))
    if len(files) > MAX_COMPARE_IMPORTS:
        errors.append(f"{len(files)} files: at most {MAX_COMPARE_IMPORTS} saved runs are compared at once")
    if records or not files:
        st.session_state["cmp_imported"] = records
    st.session_state["cmp_import_errors"] = errors


def compare_import_control():
    with st.expander("Add saved runs to the comparison", icon=":material/upload_file:"):
        st.file_uploader("run records (JSON)", type=["json"], accept_multiple_files=True, key="cmp_import_files",
                         on_change=_compare_uploaded,
                         help=f"Up to {MAX_COMPARE_IMPORTS} records exported from the Lab, each at most "
                              f"{current_limits().upload_mb} MB; they appear beside the live runs.")
        for error in st.session_state.get("cmp_import_errors", []):
            text.error(f"Not added: {error}")


def compare_imported() -> list:
    """[(label, record, config)] of the saved runs added to Compare."""
    saved, seen = [], {}
    for name, record in st.session_state.get("cmp_imported", []):
        seen[name] = seen.get(name, 0) + 1
        label = f"saved: {outside(name, quoted=False)}" + (f" ({seen[name]})" if seen[name] > 1 else "")  # two files of one name stay apart
        saved.append((label, record, RunConfig.from_dict(record.config)))
    return saved
