"""README.md's 命令一览 against the CLI itself: every command is listed, every listed one exists.

The tables name commands in backtick cells such as `branch list/show`, `overdue`、`lagging`,
`status [党组织]` or `grade rubric show/set`: a path of words whose last word may list
sibling sub-commands separated by "/", and arguments in brackets. The CLI's commands are
found by walking ``jcnian.cli.COMMANDS`` (each loaded with ``load_command``) and the
groups inside. That every command's --help has an example (示例) is checked in
tests/test_ledger.py and not again here.
"""

import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer

from jcnian.cli import COMMANDS, load_command

README = Path(__file__).resolve().parent.parent / "README.md"


def _section(text: str, heading: str) -> str:
    """The text under a level-2 heading, up to the next heading of level 2 or 3."""
    start = text.index(f"## {heading}\n")
    rest = text[start + len(heading) + 4 :]
    end = re.search(r"^#{2,3} ", rest, re.M)
    return rest[: end.start()] if end else rest


@cache
def _table_rows() -> tuple[tuple[str, ...], ...]:
    """The body rows of every table in 命令一览, as tuples of stripped cells."""
    rows = []
    for line in _section(README.read_text(encoding="utf-8"), "命令一览").splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = tuple(c.strip() for c in line.strip("|").split("|"))
        if cells[0] == "命令" or set(cells[0]) <= {"-", ":"}:
            continue  # header and rule
        rows.append(cells)
    return tuple(rows)


def _expand(cell: str) -> list[str]:
    """`grade rubric show/set` → grade rubric show, grade rubric set; `status [党组织]` → status."""
    paths = []
    for span in re.findall(r"`([^`]+)`", cell):
        words = re.sub(r"\[[^\]]*\]", " ", span).split()
        assert words, f"empty command cell in README: {cell!r}"
        *head, last = words
        paths += [" ".join([*head, alternative]) for alternative in last.split("/")]
    return paths


def documented() -> list[str]:
    return [path for row in _table_rows() for path in _expand(row[0])]


def _walk(command: Any, path: list[str]) -> list[tuple[str, Any]]:
    """Typer may use Click or its own copy of it, so groups are known by ``list_commands``."""
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        # A group that runs without a sub-command (``jcnian log``) is a command of its own too.
        out = [(" ".join(path), command)] if getattr(command, "invoke_without_command", False) else []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path)} lists {name} but cannot load it"
            out += _walk(sub, [*path, name])
        return out
    return [(" ".join(path), command)]


@cache
def leaves() -> dict[str, Any]:
    """Every runnable command path of the CLI (groups are walked, not listed)."""
    return {path: cmd for name in COMMANDS for path, cmd in _walk(load_command(name), [name])}


def test_the_readme_tables_are_found_and_parsed() -> None:
    # A change of the README's layout must not make the two tests below pass vacuously.
    rows = _table_rows()
    assert len(rows) >= 20
    assert all(len(row) == 3 for row in rows), [row for row in rows if len(row) != 3]
    assert _expand("`grade rubric show/set`") == ["grade rubric show", "grade rubric set"]
    assert _expand("`overdue`、`lagging`") == ["overdue", "lagging"]
    assert _expand("`status [党组织]`") == ["status"]
    assert len(leaves()) >= 60


def test_every_command_of_the_cli_is_in_the_readme() -> None:
    missing = sorted(set(leaves()) - set(documented()))
    assert not missing, f"commands missing from README.md 命令一览: {missing}"


def test_every_command_in_the_readme_exists() -> None:
    unknown = sorted(set(documented()) - set(leaves()))
    assert not unknown, f"README.md 命令一览 names commands the CLI does not have: {unknown}"


def test_no_command_is_listed_twice() -> None:
    paths = documented()
    assert sorted(p for p in set(paths) if paths.count(p) > 1) == []


def _examples() -> list[tuple[str, str]]:
    out = []
    for row in _table_rows():
        spans = re.findall(r"`([^`]+)`", row[2])
        assert spans, f"README row {row[0]} has no example"
        out += [(row[0], span) for span in spans]
    return out


@pytest.mark.parametrize(("cell", "example"), _examples(), ids=[e for _, e in _examples()])
def test_each_readme_example_runs_a_command_of_its_row_with_options_it_has(cell: str, example: str) -> None:
    """Each example is ``jcnian <a command of its row> …`` and parses against that command.

    Parsing (the command's make_context, which never invokes) checks the options, their values and
    the required arguments without touching a ledger.
    """
    words = shlex.split(example)
    stop = next((i for i, w in enumerate(words) if w in {">", "|", "&&", ";"}), len(words))
    words = words[:stop]
    assert words[0] == "jcnian", example
    args = words[1:]
    path = next(
        (p for p in sorted(_expand(cell), key=len, reverse=True) if args[: len(p.split())] == p.split()),
        None,
    )
    assert path is not None, f"example {example!r} does not run a command of row {cell}"
    command = leaves()[path]
    command.make_context(f"jcnian {path}", args[len(path.split()) :])
