"""The ``jcnian`` command: global options, sub-commands, and the one place errors are shown.

Domain errors are rendered here once, as a Chinese sentence on stderr with exit code 1;
anything unexpected becomes a short Chinese message too, with the traceback only under
``--debug``. Usage errors keep Click's exit code 2.
"""

import os
import sys
import traceback
from typing import Any

import typer
from typer.core import TyperGroup

from jcnian.commands import ledger as ledger_cmds
from jcnian.commands.common import State, say
from jcnian.commands.export import export_app
from jcnian.commands.grade import grade_app
from jcnian.commands.phases import register as register_phases
from jcnian.commands.survey import survey_app


def _is_cli_signal(exc: BaseException) -> bool:
    """Typer's own exits, aborts and usage errors, which it renders itself (exit 0/1/2).

    Recognised by module so that this works whether Typer uses Click or its vendored copy.
    """
    return type(exc).__module__.split(".")[0] in {"click", "typer"}


def _silence_stdout() -> None:
    """The reader of a pipe (``| head``) has gone: stop quietly, as a Unix filter does.

    Pointing stdout at /dev/null keeps Python's flush at exit from raising again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _Group(TyperGroup):
    """Root group whose ``invoke`` is the boundary where errors become messages."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _is_cli_signal(exc):
                raise
            from jcnian.errors import JcnianError

            if isinstance(exc, BrokenPipeError):
                _silence_stdout()
                raise typer.Exit(1) from None
            debug = isinstance(ctx.obj, State) and ctx.obj.debug
            if debug:
                traceback.print_exc()
            if isinstance(exc, JcnianError):
                say(f"错误：{exc.message}", "red")
                for problem in getattr(exc, "problems", []):
                    say(f"  {problem}")
                raise typer.Exit(exc.exit_code) from None
            say(f"内部错误：{type(exc).__name__}: {exc}（加 --debug 查看详情，并请报告此问题）", "red")
            raise typer.Exit(1) from None


app = typer.Typer(
    name="jcnian",
    cls=_Group,
    help="基层年（jcnian）：基层组织建设年活动台账。\n\n示例：jcnian init && jcnian branch list",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="JCNIAN_DB",
        help="账本位置：文件路径（SQLite）或数据库 URL，默认当前目录下的 jcnian.db。",
    ),
    debug: bool = typer.Option(False, "--debug", help="出错时显示完整的调用栈。"),
) -> None:
    """基层年（jcnian）：基层组织建设年活动台账。"""
    ctx.obj = State(db=db, debug=debug)


app.command("init")(ledger_cmds.init)
app.add_typer(ledger_cmds.branch_app, name="branch")
app.add_typer(ledger_cmds.people_app, name="people")
app.add_typer(ledger_cmds.liaison_app, name="liaison")
app.add_typer(export_app, name="export")
app.add_typer(survey_app, name="survey")
app.add_typer(grade_app, name="grade")
register_phases(app)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="jcnian")
