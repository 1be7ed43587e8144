"""Reading and validating the input workbook into tables; every problem located by file, sheet, row and column."""
