"""A CSV is read by its byte order mark: UTF-16 and UTF-32 (little or big endian) and UTF-8 with a mark give the
same table as plain UTF-8; a UTF-16 file without a mark is refused naming the encoding."""
import pytest

from core.engine.uploads import UploadError, read_table
from core.outside_text import plain

CSV = "größe,x2,label\n" + "\n".join(f"{k}.5,{k % 3},{'ja' if k % 2 else 'nein'}" for k in range(12)) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                      "utf-32-le", "utf-32-be"])
def test_a_csv_with_a_byte_order_mark_reads_as_its_text(encoding):
    data = CSV.encode(encoding)
    marks = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00",
             "utf-32-be": b"\x00\x00\xfe\xff"}
    data = marks.get(encoding, b"") + data  # the -le/-be codecs write no mark of their own
    table = read_table(data, "points.csv")
    assert list(table.columns) == ["größe", "x2", "label"]
    assert table.frame["label"].tolist()[:2] == ["nein", "ja"]


def test_a_utf16_csv_without_a_byte_order_mark_is_refused_naming_the_encoding():
    with pytest.raises(UploadError) as refused:
        read_table(CSV.encode("utf-16-le"), "points.csv")
    assert plain(refused.value).startswith("file encoding: UTF-16 or UTF-32 without a byte order mark. Allowed: UTF-8")


def test_a_broken_utf16_file_is_refused_naming_where():
    with pytest.raises(UploadError) as refused:
        read_table(b"\xff\xfe" + CSV.encode("utf-16-le") + b"\x00", "points.csv")  # an odd byte at the end
    assert "UTF-16 (by its byte order mark), broken at byte" in plain(refused.value)
