"""Small wording of the command line: counts that agree with their nouns, and a mistyped
command answered with the one that was meant."""
import pytest

from pipeline.commands.pack import pages_text


@pytest.mark.parametrize("count, expected", [(0, "0 pages"), (1, "1 page"), (2, "2 pages"), (11, "11 pages")])
def test_pages_text(count, expected):
    assert pages_text(count) == expected


@pytest.mark.parametrize("typed, meant", [("biuld", "build"), ("buid", "build"), ("pak", "pack"),
                                          ("validat", "validate"), ("comentary", "commentary"),
                                          ("regster", "register")])
def test_a_mistyped_command_is_answered_with_the_nearest(run_cli, typed, meant):
    result = run_cli(typed, "inputs/fsc_performance_2013-09.xlsx")
    assert result.exit_code == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("typed", ["zzz", "xyzzy", "b"])
def test_nothing_near_is_suggested_nothing(run_cli, typed):
    result = run_cli(typed)
    assert result.exit_code == 2
    assert f"No such command '{typed}'." in result.stderr and "Did you mean" not in result.stderr


def test_a_real_command_and_options_still_work(run_cli):
    assert run_cli("--help").exit_code == 0
    assert run_cli("build", "--help").exit_code == 0
    assert run_cli("--no-such-option").exit_code == 2
