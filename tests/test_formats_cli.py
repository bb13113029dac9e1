"""`reactive-kernel convert` on `.py` files the formats refuse: one line naming the file and the line, exit 2,
nothing written, the file left as it was (the command's `main` runs in this process: test_cli's `cli`)."""

from __future__ import annotations

import pytest

from tests.test_cli import cli, output, write

DEEP = 3000  # levels: far past the formats' limit and Python's recursion limit
# (id, file text, line the error names)
REFUSED = [
    ("marker", "# %%\nx = 1\n\n# %% key=" + "[" * DEEP + "]" * DEEP + "\ny = 2\n", 4),
    ("header flow", "# ---\n# jupyter:\n#   a: " + "{b: " * DEEP + "1" + "}" * DEEP + "\n# ---\n", 3),
    ("header block", "# ---\n# jupyter:\n#   a:\n#   " + "- " * DEEP + "x\n# ---\n\n# %%\nx = 1\n", 4),
]


@pytest.mark.parametrize(("text", "line"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_convert_of_deeply_nested_metadata_is_a_one_line_error_naming_file_and_line(tmp_path, text, line):
    write(tmp_path / "bad.py", text)
    result = cli("convert", "bad.py", "-o", "out.ipynb", cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert result.stderr.startswith(f"reactive-kernel: error: bad.py: line {line}: "), output(result)
    assert "nested more than" in result.stderr, output(result)
    assert result.stderr.count("\n") == 1, output(result)  # one line, no traceback
    assert result.stdout == ""


@pytest.mark.parametrize("text", [case[1] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_convert_of_deeply_nested_metadata_leaves_the_files_alone(tmp_path, text):
    source = write(tmp_path / "bad.py", text)
    existing = write(tmp_path / "out.ipynb", "keep me\n")
    result = cli("convert", "bad.py", "-o", "out.ipynb", cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert source.read_text(encoding="utf-8") == text
    assert existing.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.py", "out.ipynb"]
