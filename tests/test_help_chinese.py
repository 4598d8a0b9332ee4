"""Every command's help, and the usage errors, in Chinese at an 80-column terminal."""

import inspect
import re

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from jcnian.cli import COMMANDS, app, load_command

# Words of Typer's and Click's own frame; none may appear in any help.
FRAME = re.compile(
    r"\b(Usage|Options?|Arguments?|Commands?|required|default|env var|Show this message|Error|Try"
    r"|COMMAND|ARGS|OPTIONS|TEXT|INTEGER|FLOAT|BOOLEAN|PATH)\b|<(bool|str|int|float|path)>"
    r"|…\s*│\s*$",  # a help text cut short inside its panel
    re.M,
)
FIRST_LINE_MAX = 60  # what the command list of a group shows on one line at 80 columns


def _paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []

    def walk(command, path):  # type: ignore[no-untyped-def]
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    for name in COMMANDS:
        walk(load_command(name), (name,))
    return paths


PATHS = _paths()


@pytest.fixture
def cli(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "80")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_every_help_is_chinese_and_fits_80_columns(cli) -> None:  # type: ignore[no-untyped-def]
    assert len(PATHS) > 60
    for path in [(), *PATHS]:
        result = cli(*path, "--help")
        out = result.stdout
        assert result.exit_code == 0, (path, result.stderr)
        assert FRAME.search(out) is None, (path, FRAME.search(out), out)
        assert "用法：" in out and ("选项" in out)
        assert max(cell_len(line) for line in out.splitlines()) <= 80, path
        usage = next(line for line in out.splitlines() if "用法：" in line)
        assert not re.search(r"\b[A-Z]{2,}\b|\{[a-z_]+\}|\[[a-z_]+\]", usage), (path, usage)


def test_first_lines_fit_the_command_list() -> None:
    for path in PATHS:
        command = load_command(path[0])
        for name in path[1:]:
            command = command.commands[name]
        first = inspect.cleandoc(command.help or "").split("\n\n")[0].replace("\n", "")
        assert first and cell_len(first) <= FIRST_LINE_MAX, (path, first)
        if len(path) == 1:
            assert COMMANDS[path[0]][2] == first


def test_option_help_keeps_its_list_of_choices(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("branch", "add", "--help").stdout
    flat = re.sub(r"[\s│]", "", out)
    assert "农村/国有金融机构/非公制企业/机关事业单位" in flat


def test_bare_groups_show_their_help_and_succeed(cli) -> None:  # type: ignore[no-untyped-def]
    for path in [(), ("grade",), ("grade", "rubric"), ("branch",)]:
        result = cli(*path)
        assert result.exit_code == 0, path
        assert "用法：" in result.stdout and "命令" in result.stdout
        assert "用法错误" not in result.stderr


@pytest.mark.parametrize(
    ("args", "closest"),
    [
        (("statu",), "status"),
        (("grade", "compte"), "compute"),
        (("branch", "lst"), "list"),
        (("project", "lis"), "list"),
        (("grade", "rubric", "sho"), "show"),
    ],
)
def test_unknown_commands_are_answered_in_chinese_with_the_closest(cli, args, closest) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 2
    assert f"没有命令“{args[-1]}”" in result.stderr and closest in result.stderr
    assert "No such command" not in result.stderr and "Did you mean" not in result.stderr
    assert f"查看用法：jcnian {' '.join(args[:-1])} -h".replace("  ", " ") in result.stderr


def test_usage_errors_point_at_the_help_of_the_command_used(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("grade", "publish", "--override")
    assert result.exit_code == 2
    assert "--override" in result.stderr and "查看用法：jcnian grade publish -h" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("overdue", "--limit", "x"),
        ("overdue", "--limit", "-1"),
        ("overdue", "--format", "xml"),
        ("project", "progress", "1", "abc"),
        ("mobilize", "survey"),
        ("overdue", "a"),
        ("grade", "score", "五夫村", "--bogus"),
    ],
)
def test_usage_errors_are_chinese(cli, args) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 2
    message = result.stderr.splitlines()[0]
    assert message.startswith("用法错误：")
    # Only option names, choices and the values typed are Latin.
    words = re.findall(r"(?<![-\w])[A-Za-z]{3,}", message)
    assert set(words) <= {"table", "json", "csv", "xml", "bogus", "abc"}, message
