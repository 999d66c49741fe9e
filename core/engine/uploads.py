"""A student's or teacher's own CSV: read the bytes into a table, then check it as a data set once the label
column is chosen.

The format: a header row naming the columns, then one example per row; every column but the label holds
numbers (the features); the label column holds class names or integers (at most MAX_CLASSES of them, and
at least 2). Row numbers in messages count the header as row 1, as a spreadsheet does, so "row 5" is the
file's fifth line.

Every problem is an UploadError (a ValueError) that names the field, the value and what is allowed; missing
and non-numeric feature values are listed by row and column (the first few, and how many in all).
"""
import codecs
import hashlib
import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.limits import LIMIT_VARIABLES, current_limits
from core.outside_text import outside

MAX_CLASSES = 20
MIN_ROWS = 10  # RunConfig's smallest number of samples
SHOWN_PROBLEMS = 5  # cells listed in a message; the count says how many there are in all
MISSING = {"", "na", "n/a", "nan", "null", "none"}  # case-insensitive spellings of "no value"
UPLOAD_PREFIX = "upload:"


class UploadError(ValueError):
    """A CSV that cannot be used: names the field, the value and what is allowed; `problems` lists cells."""

    def __init__(self, field_name: str, value, allowed: str, problems=()):
        self.field, self.value, self.allowed, self.problems = field_name, value, allowed, tuple(problems)
        listed = "; ".join(self.problems[:SHOWN_PROBLEMS])
        more = f" (and {len(self.problems) - SHOWN_PROBLEMS} more)" if len(self.problems) > SHOWN_PROBLEMS else ""
        self.headline = f"{field_name}: {value}. Allowed: {allowed}."
        super().__init__(self.headline + (f" {listed}{more}." if listed else ""))


@dataclass(frozen=True, eq=False)
class Table:
    """The CSV as read: every cell a string, indexed by the row number in the file (header = row 1)."""
    frame: pd.DataFrame
    digest: str  # sha256 of the file's bytes
    filename: str = ""
    separator: str = ","

    @property
    def columns(self) -> list:
        return list(self.frame.columns)

    def default_label(self) -> str:
        """A column named like a label (label, class, target, y), else the last one."""
        for column in self.columns:
            if str(column).strip().lower() in ("label", "class", "target", "y"):
                return column
        return self.columns[-1]


@dataclass(frozen=True, eq=False)
class UploadedData:
    """A checked data set: raw features (standardized when a run uses them) and labels 0..K-1."""
    name: str  # "upload:<12 hex digits>", the dataset name a RunConfig uses
    features: np.ndarray  # float64 [rows, features], every value finite
    labels: np.ndarray  # int32 [rows], 0..len(class_names)-1
    class_names: tuple  # the label column's values, in the order of their class numbers
    feature_names: tuple
    label_column: str
    filename: str = ""
    separator: str = ","  # what the file used (the Keras code export reads it again)

    @property
    def rows(self) -> int:
        return len(self.labels)

    @property
    def input_dim(self) -> int:
        return self.features.shape[1]

    @property
    def nbytes(self) -> int:
        return self.features.nbytes + self.labels.nbytes + 64 * (len(self.class_names) + len(self.feature_names))

    def summary(self) -> str:
        return (f"{self.rows} rows · {self.input_dim} feature{'s' if self.input_dim != 1 else ''} · "
                f"{len(self.class_names)} classes (label column {outside(self.label_column)})")


def upload_name(digest: str, label: str) -> str:
    """The data set's name: the same file with the same label column always gets the same name."""
    key = hashlib.sha256(f"{digest}\0{label}".encode()).hexdigest()
    return UPLOAD_PREFIX + key[:12]


BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16's: longer
                    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _text(data: bytes) -> str:
    """The file's text: by its byte order mark (Excel's 'Unicode text' is UTF-16), else UTF-8, else Latin-1."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(encoding)  # the codec reads the mark and drops it
            except UnicodeDecodeError as error:
                raise UploadError("file encoding", f"{encoding.upper()} (by its byte order mark), broken at byte "
                                  f"{error.start}", "a file saved as UTF-8, or as UTF-16 or UTF-32 whole") from None
    if data.count(0) > len(data) // 4:  # UTF-16 or UTF-32 without a mark: every other byte is 0 for ASCII text
        raise UploadError("file encoding", "UTF-16 or UTF-32 without a byte order mark",
                          "UTF-8 (CSV UTF-8 in a spreadsheet's Save as), or UTF-16 or UTF-32 with a byte order mark")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # Excel's older exports; every byte is a character


def _separator(text: str) -> str:
    # Spreadsheets in many countries save CSV with semicolons; a header with more of them than commas uses them.
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count) if header.count(",") == 0 else ","


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split())
    longer = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if longer:
        expected, line, saw = longer.groups()
        return f"row {line} has {saw} values, the header {expected} columns"
    if isinstance(error, pd.errors.ParserWarning):
        return "row 2 has more values than the header has columns"
    return outside(text)  # the reader's words may quote the file


def read_table(data: bytes, filename: str = "", limits=None) -> Table:
    """Read a CSV's bytes (size, rows and columns within the host's limits); raises UploadError."""
    limits = limits or current_limits()
    size_limit = limits.upload_mb * 1024 * 1024
    if len(data) > size_limit:
        raise UploadError("file size", f"{len(data) / 1024 / 1024:.1f} MB",
                          f"at most {limits.upload_mb} MB (the host's limit, set by {LIMIT_VARIABLES['upload_mb'][0]})")
    text = _text(data).replace("\x00", "")
    if not text.strip():
        raise UploadError("file", "empty", "a header row naming the columns, then one example per row")
    separator = _separator(text)
    try:
        with warnings.catch_warnings():
            # pandas only warns (and drops the extra values) when the first row is longer than the header.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            # Strings only: numbers are checked per cell below, so every bad cell can be named.
            frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False,
                                skip_blank_lines=False, nrows=limits.samples + 1, index_col=False, engine="c")
    except Exception as error:  # whatever the reader rejects is a malformed file, said in its words
        raise UploadError("file", f"not readable as CSV ({_reason(error)})",
                          "comma-separated rows with a header row, and as many values in each row as the header "
                          "has columns") from None
    frame = frame.dropna(how="all")  # a row shorter than the header gets NaN; a blank line is all NaN
    frame.index = frame.index + 2  # row numbers as in the file: the header is row 1
    blank = frame.apply(lambda column: column.fillna("").str.strip() == "").all(axis=1)
    frame = frame[~blank]
    frame.columns = [str(column) for column in frame.columns]
    if frame.shape[1] < 2:
        raise UploadError("columns", frame.shape[1], "at least 2: one or more feature columns and a label column "
                          "(separated by commas, with a header row)")
    if frame.shape[1] - 1 > limits.input_dim:
        raise UploadError("feature columns", frame.shape[1] - 1, f"at most {limits.input_dim} (the host's limit, "
                          f"set by {LIMIT_VARIABLES['input_dim'][0]})")
    if len(frame) > limits.samples:
        raise UploadError("rows", f"more than {limits.samples}", f"at most {limits.samples} examples (the host's "
                          f"limit, set by {LIMIT_VARIABLES['samples'][0]})")
    if len(frame) < MIN_ROWS:
        raise UploadError("rows", len(frame), f"at least {MIN_ROWS} examples")
    return Table(frame=frame, digest=hashlib.sha256(data).hexdigest(), filename=filename, separator=separator)


def _features(frame: pd.DataFrame) -> np.ndarray:
    """The feature columns as float64; every missing or non-numeric cell named by row and column (a column
    with no number at all is named once: it is probably a label or a name, not a feature)."""
    numbers = frame.apply(lambda column: pd.to_numeric(column, errors="coerce")).to_numpy(dtype=np.float64)
    bad = ~np.isfinite(numbers)
    if not bad.any():
        return numbers
    wordy = bad.all(axis=0) & (len(frame) > 1)
    problems = [f"column {outside(column)}: no numbers at all (is it a label or a name? pick it as the label column "
                "or delete it)" for column in frame.columns[wordy]]
    missing = 0
    for row_position, column_position in zip(*np.nonzero(bad & ~wordy)):  # row by row, as a student reads
        cell = frame.iat[row_position, column_position]
        cell = "" if not isinstance(cell, str) else cell  # a row shorter than the header
        row, column = frame.index[row_position], frame.columns[column_position]
        if cell.strip().lower() in MISSING:
            missing += 1
            problems.append(f"row {row}, column {outside(column)}: missing")
        else:
            problems.append(f"row {row}, column {outside(column)}: {outside(cell)} is not a number")
    cells = int(bad.sum())
    raise UploadError("feature values", f"{cells} cell{'s' if cells != 1 else ''} that "
                      f"{'are' if cells != 1 else 'is'} not a number" + (f" ({missing} missing)" if missing else ""),
                      "every feature cell a finite number (fill or delete these rows)", problems)


def _labels(column: pd.Series, name: str) -> tuple:
    values = column.fillna("").str.strip()
    empty = values[values == ""]
    if len(empty):
        problems = [f"row {row}, column {outside(name)}: missing" for row in empty.index]
        raise UploadError("label values", f"{len(empty)} missing", "a class for every row", problems)
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all() and np.all(np.mod(numbers, 1) == 0):
        keys = numbers.astype(np.int64)  # integer labels sort as numbers: 2 before 10
        classes = np.unique(keys)
        names = tuple(str(c) for c in classes)
    else:
        keys = values
        classes = np.unique(keys.to_numpy(dtype=str))
        names = tuple(str(c) for c in classes)
    if len(classes) < 2:
        raise UploadError("label column", f"{outside(name)} with 1 class ({outside(names[0])})", "at least 2 classes")
    if len(classes) > MAX_CLASSES:
        shown = ", ".join(map(outside, names[:5]))
        raise UploadError("label column", f"{outside(name)} with {len(classes)} classes ({shown}, ...)",
                          f"at most {MAX_CLASSES} classes; a column of measurements is a feature, not a label")
    labels = np.searchsorted(classes, keys.to_numpy(dtype=classes.dtype)).astype(np.int32)
    return labels, names


def check_table(table: Table, label: str) -> UploadedData:
    """The data set of this table with `label` as the label column; raises UploadError."""
    if label not in table.columns:
        raise UploadError("label column", outside(label), f"one of the file's columns: {', '.join(map(outside, table.columns))}")
    features = table.frame.drop(columns=[label])
    labels, class_names = _labels(table.frame[label], label)  # first: a wrong label column is said as such
    numbers = _features(features)
    return UploadedData(name=upload_name(table.digest, label), features=numbers, labels=labels,
                        class_names=class_names, feature_names=tuple(features.columns), label_column=label,
                        filename=table.filename, separator=table.separator)


def parse_csv(data: bytes, label: str | None = None, filename: str = "", limits=None) -> UploadedData:
    """Read and check a CSV in one call (the label column defaults to Table.default_label)."""
    table = read_table(data, filename, limits)
    return check_table(table, table.default_label() if label is None else label)
