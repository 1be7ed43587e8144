"""How a problem names the place it is about."""
import pytest

from pipeline.errors import Problem


@pytest.mark.parametrize("sheet, row, column, expected", [
    ("Form", None, "D8", "Form, cell D8: m"),          # a form's cell reference
    (None, None, "AB12", "cell AB12: m"),
    ("values", 22, "actual", "values row 22, column actual: m"),
    ("values", 5, "D8", "values row 5, column D8: m"),  # with a row, a header named D8 stays a column
    ("Form", None, "d8", "Form, column d8: m"),         # a lower-case key is no cell reference
    ("Form", None, "D0", "Form, column D0: m"),         # no row 0
    ("Form", None, "ABCD1", "Form, column ABCD1: m"),   # no such column letters
    ("items", None, "late", "items, column late: m"),
    (None, None, None, "m"),
])
def test_problem_location(sheet, row, column, expected):
    assert str(Problem("f.xlsx", sheet, row, column, "m")) == expected
