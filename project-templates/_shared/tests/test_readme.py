"""The README results section: replaced between its markers, nothing else touched."""

import pytest

from {{ package_name }}.readme import (
    END,
    START,
    ReadmeError,
    markdown_table,
    replace_results,
)


def test_only_the_results_section_changes():
    text = f"# Title\nmy notes\n{START}\nold\n{END}\nmore notes\n"
    assert replace_results(text, "new") == f"# Title\nmy notes\n{START}\nnew\n{END}\nmore notes\n"


def test_missing_markers_are_a_clear_error():
    with pytest.raises(ReadmeError, match="no results section"):
        replace_results("# Title\n", "new")


def test_markdown_table_formats_floats():
    table = markdown_table(["model", "score"], [["a", 0.123456], ["b", 1]])
    assert table.splitlines() == [
        "| model | score |",
        "| --- | --- |",
        "| a | 0.1235 |",
        "| b | 1 |",
    ]
