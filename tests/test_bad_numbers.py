"""Numbers from a link or a flag are ASCII and finite, and an error names them as typed (CLI exit status 2)."""
import pytest

from core import cli
from core.config import ConfigError, parse_value
from core.outside_text import plain


@pytest.mark.parametrize("flag,typed,allowed", [
    ("--learning-rate", "٠.١", "a number written with the digits 0-9"),  # Arabic-Indic digits
    ("--learning-rate", "1e309", "a finite number (1e309 is beyond the largest"),
    ("--learning-rate", "-1e309", "a finite number"),
    ("--learning-rate", "nan", "a number written with the digits 0-9"),
    ("--learning-rate", "infinity", "a number written with the digits 0-9"),
    ("--depth", "٣", "an integer written with the digits 0-9"),
    ("--depth", "1_0", "an integer written with the digits 0-9"),
    ("--steps", "５", "an integer written with the digits 0-9"),  # a full-width digit
])
def test_the_cli_refuses_a_number_that_is_not_plain_ascii_or_not_finite_naming_what_was_typed(capsys, flag, typed, allowed):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--steps", "0", f"{flag}={typed}"])  # = so that argparse takes '-1e309' as the value
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    field = flag[2:].replace("-", "_")
    assert f"{flag}: {field} = '{typed}' is not allowed: {allowed}" in error, error


def test_a_link_value_is_named_with_its_spaces():
    with pytest.raises(ConfigError) as refused:
        parse_value("depth", " 5x ")
    assert plain(refused.value) == "depth = ' 5x ' is not allowed: an integer written with the digits 0-9, such as 10"
    assert parse_value("depth", " 5 ") == 5 and parse_value("learning_rate", "+.5e-2") == 0.005
    assert parse_value("learning_rate", "1e308") == 1e308
