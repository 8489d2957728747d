"""CSV for spreadsheets: a byte order mark, and no cell that a spreadsheet would run as a formula."""

import csv
import io

from storage.spreadsheet import csv_cell, write_csv


def test_text_that_looks_like_a_formula_is_kept_as_text():
    for dangerous in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(dangerous) == "'" + dangerous
    assert csv_cell("Ủy ban nhân dân") == "Ủy ban nhân dân" and csv_cell(-5) == -5 and csv_cell(None) is None


def test_a_written_csv_starts_with_a_bom_and_parses_back():
    out = io.StringIO()
    write_csv(out, ["agency", "documents"], [["=cmd|' /C calc'!A0", 3], ["Sở Tư pháp", 12]], line_end="\r\n")
    text = out.getvalue()
    assert text.startswith("\ufeffagency,documents\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["agency", "documents"], ["'=cmd|' /C calc'!A0", "3"], ["Sở Tư pháp", "12"]]
