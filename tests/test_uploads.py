"""Your own CSV: reading and checking it, standardizing it, the server's store of uploads, and runs on it."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.outside_text import plain
from core.config import ConfigError, RunConfig
from core.engine.datasets import input_dim_of, is_two_d, make_dataset
from core.engine.run import run_to_end
from core.engine.upload_store import STORE, UploadGone, UploadStore
from core.engine.uploads import MAX_CLASSES, UploadError, parse_csv
from core.lessons.links import read_lesson


def plained(problems) -> tuple:
    return tuple(plain(problem) for problem in problems)


def csv_of(rows, header=("x1", "x2", "label")) -> bytes:
    return ("\n".join([",".join(header)] + [",".join(str(v) for v in row) for row in rows]) + "\n").encode()


def points(count=40, features=2, seed=0, labels=("cat", "dog")):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, (count, features)) * np.arange(1, features + 1)  # columns of different scales
    y = [labels[k % len(labels)] for k in range(count)]
    header = tuple(f"x{k + 1}" for k in range(features)) + ("label",)
    return x, y, csv_of([[*(repr(float(v)) for v in row), label] for row, label in zip(x, y)], header)


def twelve_rows():
    return [[1.0, 2.0, "a"] if k % 2 == 0 else [3.0, 4.0, "b"] for k in range(12)]


def test_a_good_csv_keeps_its_numbers_and_maps_string_labels_to_sorted_classes():
    x, y, data = points(30, labels=("dog", "cat", "bird"))
    upload = parse_csv(data, filename="animals.csv")
    np.testing.assert_array_equal(upload.features, x)
    assert upload.class_names == ("bird", "cat", "dog")
    assert [upload.class_names[k] for k in upload.labels] == y
    assert upload.feature_names == ("x1", "x2") and upload.label_column == "label"
    assert upload.name.startswith("upload:") and len(upload.name) == len("upload:") + 12


def test_integer_labels_sort_as_numbers_and_the_label_column_can_be_any_column():
    rows = [[label, 1.0 * k, 2.0 * k] for k, label in enumerate([10, 2, 2, 10, 7] * 2)]
    upload = parse_csv(csv_of(rows, ("digit", "a", "b")), label="digit")
    assert upload.class_names == ("2", "7", "10")
    assert upload.labels.tolist() == [2, 0, 0, 2, 1] * 2
    assert upload.feature_names == ("a", "b")


def test_the_same_file_with_another_label_column_is_another_data_set():
    rows = [[k % 2, k % 3, float(k)] for k in range(12)]
    data = csv_of(rows, ("a", "b", "c"))
    assert parse_csv(data, label="a").name != parse_csv(data, label="b").name
    assert parse_csv(data, label="a").name == parse_csv(data, label="a").name


def test_missing_values_are_reported_by_row_and_column():
    rows = twelve_rows()
    rows[2][1] = ""  # the header is row 1, so the third data row is row 4
    rows[5][0] = "NA"
    with pytest.raises(UploadError) as caught:
        parse_csv(csv_of(rows))
    assert plained(caught.value.problems) == ("row 4, column 'x2': missing", "row 7, column 'x1': missing")
    assert "feature values: 2 cells that are not a number (2 missing)" in plain(caught.value)
    assert "feature values" in plain(caught.value) and "finite number" in plain(caught.value)


def test_a_word_in_a_feature_column_is_named_with_its_text():
    rows = twelve_rows()
    for k in range(8):
        rows[k][1] = f"word{k}"
    with pytest.raises(UploadError) as caught:
        parse_csv(csv_of(rows))
    error = caught.value
    assert plained(error.problems)[0] == "row 2, column 'x2': 'word0' is not a number"
    assert len(error.problems) == 8
    assert "(and 3 more)" in plain(error) and "row 6" in plain(error) and "row 7," not in plain(error)


def test_a_column_of_words_is_named_once_as_a_likely_label():
    rows = [[f"name{k}", float(k), k % 2] for k in range(12)]
    rows[3][1] = ""
    with pytest.raises(UploadError) as caught:
        parse_csv(csv_of(rows, ("name", "x", "y")), label="y")
    assert plained(caught.value.problems)[0].startswith("column 'name': no numbers at all (is it a label or a name?")
    assert plained(caught.value.problems)[1:] == ("row 5, column 'x': missing",)
    assert "13 cells that are not a number (1 missing)" in plain(caught.value)


def test_a_row_shorter_than_the_header_is_reported_as_missing_values():
    rows = [[k % 2, 1.0 * k, 2.0 * k] for k in range(12)]
    with pytest.raises(UploadError) as caught:
        parse_csv(csv_of(rows, ("label", "x1", "x2")) + b"1,5.0\n")
    assert plained(caught.value.problems) == ("row 14, column 'x2': missing",)
    with pytest.raises(UploadError) as caught:  # the label is checked first
        parse_csv(csv_of(twelve_rows()) + b"5.0\n")
    assert plained(caught.value.problems) == ("row 14, column 'label': missing",)


def test_a_row_longer_than_the_header_is_refused_as_malformed():
    data = csv_of(twelve_rows()) + b"1,2,3,4\n"
    with pytest.raises(UploadError, match="file: not readable as CSV \\(row 14 has 4 values, the header 3 columns\\)"):
        parse_csv(data)


def test_blank_lines_are_skipped_but_rows_keep_their_numbers_in_the_file():
    lines = csv_of(twelve_rows()).decode().split("\n")
    lines.insert(3, "")  # a blank line as row 4
    lines[5] = "x,4.0,b"  # row 6 of the file
    with pytest.raises(UploadError) as caught:
        parse_csv("\n".join(lines).encode())
    assert plained(caught.value.problems) == ("row 6, column 'x1': 'x' is not a number",)


def test_semicolon_separated_files_from_spreadsheets_are_read():
    upload = parse_csv(csv_of([[1.5, 2.0, "a"], [3.0, 4.0, "b"]] * 6).replace(b",", b";"))
    assert upload.features.shape == (12, 2) and upload.features[0, 0] == 1.5


@pytest.mark.parametrize("variable, value, data, field", [
    ("GRADFLOW_MAX_SAMPLES", "20", csv_of([[1, 2, k % 2] for k in range(21)]), "rows: more than 20"),
    ("GRADFLOW_MAX_INPUT_DIM", "3", csv_of([[1, 2, 3, 4, k % 2] for k in range(12)], ("a", "b", "c", "d", "y")),
     "feature columns: 4"),
    ("GRADFLOW_MAX_UPLOAD_MB", "1", b"a,b\n" + b"1.00000,0\n1.00000,1\n" * 60_000, "file size: 1.1 MB"),
])
def test_too_many_rows_columns_or_bytes_are_refused_naming_the_hosts_setting(monkeypatch, variable, value, data, field):
    monkeypatch.setenv(variable, value)
    with pytest.raises(UploadError) as caught:
        parse_csv(data)
    assert plain(caught.value).startswith(field)
    assert variable in plain(caught.value)


def test_one_class_only_or_too_many_classes_are_refused():
    with pytest.raises(UploadError) as caught:
        parse_csv(csv_of([[k, k, "a"] for k in range(12)]))
    assert "label column: 'label' with 1 class ('a'). Allowed: at least 2" in plain(caught.value)
    with pytest.raises(UploadError, match=f"with {MAX_CLASSES + 1} classes.*at most {MAX_CLASSES}"):
        parse_csv(csv_of([[k, k, k] for k in range(MAX_CLASSES + 1)]))


def test_too_few_rows_an_empty_file_and_a_single_column_are_refused():
    for data, field in [(csv_of([[1, 2, k % 2] for k in range(9)]), "rows: 9"), (b"", "file: empty"),
                        (b"\n\n", "file: empty"), (b"x\n" + b"1\n" * 20, "columns: 1")]:
        with pytest.raises(UploadError) as caught:
            parse_csv(data)
        assert plain(caught.value).startswith(field)


def test_an_uploaded_data_set_is_standardized_per_column():
    x, y, data = points(300, features=3, seed=4)
    name = STORE.put(parse_csv(data))
    whole = make_dataset(RunConfig(dataset=name, samples=1000, seed=3))  # samples >= rows: every row, shuffled
    assert whole.x.shape == (300, 3) and whole.x.dtype == np.float32 and whole.classes == 2
    np.testing.assert_allclose(whole.x.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(whole.x.std(axis=0), 1.0, atol=1e-5)
    # Undo the standardization with NumPy's own mean and spread of the file: the rows are the file's rows.
    restored = whole.x.astype(float) * x.std(axis=0) + x.mean(axis=0)
    order = np.lexsort(restored.T)
    np.testing.assert_allclose(restored[order], x[np.lexsort(x.T)], rtol=1e-5, atol=1e-5)
    labels = {tuple(np.round(row, 6)): label for row, label in zip(x, y)}
    for row, k in zip(np.round(restored, 3), whole.y):
        matches = [label for key, label in labels.items() if np.allclose(key, row, atol=2e-3)]
        assert matches == [("cat", "dog")[k]]

    part = make_dataset(RunConfig(dataset=name, samples=100, seed=3))  # min(samples, rows), seeded
    assert part.x.shape == (100, 3)
    np.testing.assert_allclose(part.x.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(part.x.std(axis=0), 1.0, atol=1e-5)
    np.testing.assert_array_equal(part.x, make_dataset(RunConfig(dataset=name, samples=100, seed=3)).x)
    assert not np.array_equal(part.x, make_dataset(RunConfig(dataset=name, samples=100, seed=4)).x)


def test_a_config_names_an_upload_by_its_hash_and_refuses_other_names():
    assert RunConfig(dataset="upload:0123456789ab").dataset == "upload:0123456789ab"
    for bad in ("upload:xyz", "upload:0123456789ABC", "upload:", "mnist"):
        with pytest.raises(ConfigError) as caught:
            RunConfig(dataset=bad)
        assert caught.value.field == "dataset" and "upload:<12 hex digits>" in plain(caught.value)


def test_a_lost_upload_gives_a_clear_error_and_a_link_naming_it_falls_back_with_a_message():
    config = RunConfig(dataset="upload:00000000dead")
    with pytest.raises(UploadGone, match="upload:00000000dead.*no longer has.*upload the CSV again"):
        make_dataset(config)
    assert input_dim_of(config) is None and not is_two_d(config)
    lesson, messages = read_lesson({"dataset": "upload:00000000dead", "depth": "3"})
    assert lesson.configs[0].dataset == "spirals" and lesson.configs[0].depth == 3
    assert len(messages) == 1 and "Link parameter dataset" in messages[0] and "upload the CSV again" in messages[0]


def test_a_link_naming_an_upload_the_server_has_opens_it():
    name = STORE.put(parse_csv(points(20)[2]))
    lesson, messages = read_lesson({"dataset": name})
    assert lesson.configs[0].dataset == name and messages == []


def sized(name_digit: str, rows: int):
    upload = parse_csv(csv_of([[k, k % 3, k % 2] for k in range(rows)]))
    return type(upload)(name=f"upload:{name_digit * 12}", features=upload.features, labels=upload.labels,
                        class_names=upload.class_names, feature_names=upload.feature_names, label_column="label")


def test_the_store_stays_within_its_bytes_and_drops_the_least_recently_used():
    a, b, c = sized("a", 1000), sized("b", 1000), sized("c", 1000)
    store = UploadStore(int(2.5 * a.nbytes))
    store.put(a)
    store.put(b)
    store.get(a.name)  # a is now more recent than b
    store.put(c)
    assert store.names() == [a.name, c.name] and store.nbytes <= store.max_bytes
    with pytest.raises(UploadGone):
        store.get(b.name)
    with pytest.raises(UploadError, match="data set in memory.*GRADFLOW_UPLOAD_STORE_MB"):
        UploadStore(a.nbytes // 2).put(a)
    assert UploadStore.from_environment({"GRADFLOW_UPLOAD_STORE_MB": "3"}).max_bytes == 3 * 1024 * 1024
    with pytest.raises(ValueError, match="GRADFLOW_UPLOAD_STORE_MB"):
        UploadStore.from_environment({"GRADFLOW_UPLOAD_STORE_MB": "lots"})


def test_the_decision_boundary_is_recorded_for_two_features_and_not_for_three(pool):
    two = STORE.put(parse_csv(points(200, features=2)[2]))
    three = STORE.put(parse_csv(points(200, features=3)[2]))
    settings_ = dict(depth=2, width=8, steps=20, record_every=5, batch_size=32, samples=200)
    assert is_two_d(RunConfig(dataset=two)) and not is_two_d(RunConfig(dataset=three))
    with_boundary = run_to_end(RunConfig(dataset=two, **settings_), pool)
    without = run_to_end(RunConfig(dataset=three, **settings_), pool)
    assert with_boundary.status == without.status == "finished"
    assert with_boundary.boundary is not None and len(with_boundary.boundary["classes"][0]) == 40 * 40
    assert without.boundary is None


# --- Hypothesis: whatever the bytes, the reader either gives a valid data set or raises a ValueError -------

def check_outcome(data: bytes, label=None):
    try:
        upload = parse_csv(data, label=label)
    except ValueError:
        return
    assert np.isfinite(upload.features).all()
    assert upload.labels.min() == 0 and upload.labels.max() == len(upload.class_names) - 1
    assert 2 <= len(upload.class_names) <= MAX_CLASSES and upload.rows >= 10


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_only_ever_raise_a_value_error(data):
    check_outcome(data)


CELLS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers(-5, 5).map(str),
                  st.sampled_from(["", " ", "NA", "nan", "abc", '"', "1,5", "\t", "é", "-", "1e999", "0x1f"]),
                  st.text(max_size=6))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 4).flatmap(lambda width: st.tuples(
    st.lists(st.text(max_size=5), min_size=width, max_size=width),
    st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=30))), st.booleans())
def test_random_tables_with_holes_and_words_only_ever_raise_a_value_error(table, first_as_label):
    header, rows = table
    data = "\n".join(",".join(row) for row in [header, *rows]).encode()
    check_outcome(data, label=header[0] if first_as_label else None)


def test_the_command_line_refuses_an_upload_name_with_status_2(capsys):
    from core.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["run", "--dataset", "upload:0123456789ab", "--steps", "0", "--quiet"])
    assert exited.value.code == 2
    assert "--dataset: dataset = 'upload:0123456789ab' is not allowed" in capsys.readouterr().err
