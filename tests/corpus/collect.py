"""Rebuild tests/corpus/ from pinned commits of public repositories: copy, trim, strip, and describe.

The corpus is real notebooks, kept as their authors wrote them except for the edits listed in
`sources.py` (each with its reason). This script is the record of how each file was made: it reads
every notebook and data file at its pinned commit from a local git snapshot of its repository,
applies the edits, strips outputs, gives cells stable ids, copies the licence, and rewrites the
table in README.md (with `--check`, after running every notebook on plain ipykernel).

    python tests/corpus/collect.py --mirrors DIR [--check]

DIR holds one bare or normal git repository per source, at `DIR/<owner>+<name>/repo` (the layout
the project's snapshot tool uses); `--mirrors` may be given several times.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the repository root, for `tests.corpus`

from tests.corpus.facts import defined_twice  # noqa: E402
from tests.corpus.sources import SOURCES, Drop, Notebook, Replace, Source  # noqa: E402

README = HERE / "README.md"
TABLE_START = "<!-- corpus table: written by collect.py -->"
TABLE_END = "<!-- end of corpus table -->"


def git_show(repo: Path, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout


def find_repo(mirrors: list[Path], source: Source) -> Path:
    folder = source.repo.replace("/", "+")
    for root in mirrors:
        for candidate in (root / folder / "repo", root / folder):
            if candidate.exists():
                return candidate
    raise SystemExit(f"collect: no snapshot of {source.repo} under {', '.join(map(str, mirrors))}")


def apply_edits(nb: nbformat.NotebookNode, entry: Notebook, where: str) -> None:
    """Each edit must match exactly one code cell, so a changed upstream file fails loudly."""
    for edit in entry.edits:
        hits = [c for c in nb.cells if c.cell_type == "code" and edit.match in c.source]
        if getattr(edit, "nth", 0):
            hits = hits[edit.nth - 1 : edit.nth] if len(hits) > 1 else []
        if len(hits) != 1:
            raise SystemExit(f"collect: {where}: {edit!r} matches {len(hits)} code cells, not 1")
        if isinstance(edit, Drop):
            nb.cells.remove(hits[0])
        elif isinstance(edit, Replace):
            hits[0].source = hits[0].source.replace(edit.match, edit.new)


def strip(nb: nbformat.NotebookNode, stem: str) -> None:
    """No outputs, no execution counts, no widget state; ids that stay the same on every rebuild."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for index, cell in enumerate(nb.cells):
        cell.id = f"{stem[:40]}-{index:03d}"
        cell.metadata = {}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.pop("attachments", None)


def build(mirrors: list[Path]) -> None:
    for source in SOURCES:
        repo = find_repo(mirrors, source)
        target = HERE / source.folder
        target.mkdir(exist_ok=True)
        (target / "LICENSE").write_bytes(git_show(repo, source.commit, source.licence_file))
        for data in source.data:
            content = git_show(repo, source.commit, data.path)
            if data.first_lines:
                content = b"".join(content.splitlines(keepends=True)[: data.first_lines])
            (target / data.target).parent.mkdir(parents=True, exist_ok=True)
            (target / data.target).write_bytes(content)
        for entry in source.notebooks:
            where = f"{source.repo}:{entry.path}"
            nb = nbformat.reads(git_show(repo, source.commit, entry.path).decode("utf-8"), as_version=4)
            apply_edits(nb, entry, where)
            strip(nb, Path(entry.target).stem)
            nbformat.validate(nb)
            nbformat.write(nb, target / entry.target)
            print(f"wrote {source.folder}/{entry.target}")


def runs_on_ipykernel(path: Path) -> bool:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(path.parent, tmp, dirs_exist_ok=True)
        client = NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": tmp}})
        try:
            client.execute()
        except Exception:
            return False
    return True


def table(check: bool) -> str:
    rows = [
        "| notebook | source (repository, path, commit) | licence | code cells | defines a global in "
        "several cells | runs on ipykernel | edits |",
        "|---|---|---|---|---|---|---|",
    ]
    for source in SOURCES:
        for entry in source.notebooks:
            path = HERE / source.folder / entry.target
            nb = nbformat.read(path, as_version=4)
            code = sum(c.cell_type == "code" for c in nb.cells)
            twice = defined_twice(nb)
            runs = ("yes" if runs_on_ipykernel(path) else "no") if check else "not checked"
            edits = "; ".join(e.describe() for e in entry.edits) or "none"
            names = ", ".join(sorted(twice)[:6]) + (", ..." if len(twice) > 6 else "")
            rows.append(
                f"| `{source.folder}/{entry.target}` | [{source.repo}](https://github.com/{source.repo}) "
                f"`{entry.path}` `{source.commit[:10]}` | {source.licence} | {code} | "
                f"{f'yes, {len(twice)} ({names})' if twice else 'no'} | {runs} | {edits} |"
            )
    return "\n".join(rows)


def write_table(check: bool) -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(TABLE_START)
    _, tail = rest.split(TABLE_END)
    README.write_text(f"{head}{TABLE_START}\n{table(check)}\n{TABLE_END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, action="append", default=[], help="snapshot folder")
    parser.add_argument("--check", action="store_true", help="run each notebook on ipykernel for the table")
    parser.add_argument("--table-only", action="store_true", help="only rewrite README's table")
    args = parser.parse_args()
    if not args.table_only:
        build(args.mirrors or [Path("/work/.mirror")])
    write_table(args.check)


if __name__ == "__main__":
    main()
