"""The ``jcnian`` command: global options, sub-commands, and the one place errors are shown.

Domain errors are rendered here once, as a Chinese sentence on stderr with exit code 1;
anything unexpected becomes a short Chinese message too, with the traceback only under
``--debug``. Usage errors keep Click's exit code 2.
"""

import errno
import importlib
import os
import re
import sys
import traceback
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand

from jcnian.commands.common import State, say
from jcnian.helpframe import ChineseGroup, localise

_LEDGER, _PHASES, _IMPL, _REQ = (
    "jcnian.commands.ledger",
    "jcnian.commands.phases",
    "jcnian.commands.implement",
    "jcnian.commands.requirements",
)
_MAINT = "jcnian.commands.maintenance"
_ACT = "jcnian.commands.activities"
_GUA = "jcnian.commands.guarantees"

# Every command in the order `jcnian --help` lists them: name -> (module, attribute, the
# first line of its help). A command's module is imported only when that command runs or
# shows its own help, so `jcnian branch list` never loads the grading or export commands,
# and the root --help builds no sub-command at all. tests/test_ledger.py checks that each
# line here is the first line of the loaded command's help.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": (_LEDGER, "init", "建立账本并载入联系表（附件1 的 32 个党组织）。"),
    "branch": (_LEDGER, "branch_app", "党组织：列表、查看、增删改、别名。"),
    "people": (_LEDGER, "people_app", "联系领导和联系干部：列表、查看、疑似重名检查。"),
    "liaison": (_LEDGER, "liaison_app", "设置或清除党组织的联系领导、联系干部。"),
    "status": (
        _PHASES,
        "status",
        "每天早上看的进度总览：阶段、交付、逾期、近期截止。",
    ),
    "overdue": (
        _PHASES,
        "overdue",
        "列出截至某日的逾期事项。",
    ),
    "lagging": (
        _PHASES,
        "lagging",
        "列出项目推进不力的责任人（问责对象候选）。",
    ),
    "campaign": (
        _PHASES,
        "campaign_app",
        "活动：列出、新增（多镇多年度），阶段日期和其他限期要求。",
    ),
    "mobilize": ("jcnian.commands.mobilize", "mobilize_app", "动员部署：动员会议、调查摸底。"),
    "problem": ("jcnian.commands.mobilize", "problem_app", "问题台账：调查摸底中找到的问题及其整改。"),
    "grade": (
        "jcnian.commands.grade",
        "grade_app",
        "分类定级：评分、定级、审议、终定、公开、比例、倒排。",
    ),
    "survey": (
        "jcnian.commands.survey",
        "survey_app",
        "测评结果批量导入，并可查看导入记录。",
    ),
    "plan": (_IMPL, "plan_app", "深入实施：争创目标、整改措施、实施方案和公开承诺。"),
    "project": (_IMPL, "project_app", "工程项目：分解到人、安排到周、具体到天、考核到月。"),
    "visit": (_REQ, "visit_app", "调研走访和村级组织换届“回头看”。"),
    "report": (_REQ, "report_app", "月度书面汇报：每个党组织每月一次。"),
    "regulation": (_REQ, "regulation_app", "每个党组织建立的 1–2 项务实管用的制度。"),
    "publicity": (_REQ, "publicity_app", "舆论宣传：固定宣传标语和活动专栏。"),
    "coverage": (_REQ, "coverage_app", "非公企业党组织全覆盖（“七一”前）：摸排企业及其覆盖情况。"),
    "rally": (_ACT, "rally_app", "镇党委基层组织建设年活动动员大会。"),
    "pledge": (_ACT, "pledge_app", "“一句话承诺”：党组织和党员的承诺、导入、覆盖。"),
    "deed": (_ACT, "deed_app", "“创先争优闪光言行”及展示评选。"),
    "fiveone": (_ACT, "fiveone_app", "村党组织书记“五个一”工程。"),
    "training": (_ACT, "training_app", "5 月下旬村党组织书记科学发展主题轮训。"),
    "secretary": (_ACT, "secretary_app", "各党组织书记（主要负责人）及调整不胜任的书记。"),
    "cadre": (_GUA, "cadre_app", "村干部“创业承诺、辞职承诺”及兑现，村主职干部重点工作季考核。"),
    "economy": (_GUA, "economy_app", "村级集体经济增收五年计划、每年收入和城乡党组织结对帮扶。"),
    "group": (_GUA, "group_app", "领导小组、办公室和督导检查组的成员及职务。"),
    "notice": (_GUA, "notice", "起草本月通报：工作滞后的党组织和本月好做法。"),
    "accept": (
        "jcnian.commands.accept",
        "accept_app",
        "总结验收：四种方式，通过或整改，重新评定级次。",
    ),
    "export": (
        "jcnian.commands.export",
        "export_app",
        "导出：月度报表工作簿（xlsx）和各台账表（CSV/JSON）。",
    ),
    "city": (
        "jcnian.commands.city",
        "city_app",
        "全市汇总：各镇同一年度的等级分布、比例、进度、逾期和后进。",
    ),
    "demo": (
        "jcnian.commands.demo",
        "demo",
        "演示：在新账本上用固定数据走完四个阶段。",
    ),
    "log": (_MAINT, "log_app", "留痕：谁在什么时候用什么命令改了哪些记录（最新的在前）。"),
    "check": (_MAINT, "check", "检查账本是否可信（完整、外键、留痕链、定级历史、得分范围）。"),
    "backup": (_MAINT, "backup", "备份账本：别人正在登记时也得到一致的副本。"),
    "restore": (_MAINT, "restore", "先检查备份，再用它替换账本；被替换的账本另存一份。"),
    "dump": (_MAINT, "dump", "把每张表（含留痕）导出为 JSON lines。"),
    "load": (_MAINT, "load", "把 jcnian dump 的文件原样载入一个新账本。"),
    "db": (_MAINT, "db_app", "账本结构版本：查看、升级。"),
}


def _is_cli_signal(exc: BaseException) -> bool:
    """Typer's own exits, aborts and usage errors, which it renders itself (exit 0/1/2).

    Recognised by module so that this works whether Typer uses Click or its vendored copy.
    """
    return type(exc).__module__.split(".")[0] in {"click", "typer"}


# What a shell reports for a program stopped by SIGPIPE (128 + 13): `| head` is not an error.
PIPE_CLOSED = 141


def _silence_stdout() -> None:
    """The reader of a pipe (``| head``) has gone: stop quietly, as a Unix filter does.

    Pointing stdout at /dev/null keeps Python's flush at exit from raising again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


_ENGLISH = (
    (re.compile(r"'(.*)' is not one of (.*?)\.?$"), "“{0}”不是 {1} 之一"),
    (re.compile(r"'(.*)' is not a valid (integer|float|number)\.?$"), "“{0}”不是有效的数字"),
    (re.compile(r"^Input should be a valid (integer|number).*"), "不是有效的数字"),
    (re.compile(r"^Input should be a valid boolean.*"), "应为 true 或 false"),
    (re.compile(r"^Input should be greater than or equal to (\S+?)\.?$"), "不能小于 {0}"),
    (re.compile(r"^Input should be less than or equal to (\S+?)\.?$"), "不能大于 {0}"),
    (re.compile(r"^Input should be greater than (\S+?)\.?$"), "应大于 {0}"),
    (re.compile(r"^Input should be less than (\S+?)\.?$"), "应小于 {0}"),
    (re.compile(r"^Input should be (.*)$"), "应为 {0} 之一"),
    (re.compile(r"'(.*)' does not match the format.*"), "“{0}”不是有效日期（YYYY-MM-DD）"),
    (re.compile(r"^No such command '(.*)'\.?$"), "没有命令“{0}”"),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"), "多余的参数：{0}"),
    (
        re.compile(r"^(?:Option|Argument) '(.*)' requires (?:an argument|(\d+) arguments)\.?$"),
        "{0} 后面需要一个值",
    ),
    (re.compile(r"^Option '(.*)' does not take a value\.?$"), "{0} 不带值"),
    (re.compile(r"^Argument '(.*)' takes (\d+) values\.?$"), "{0} 需要 {1} 个值"),
    (re.compile(r"^(?:Path|File|Directory) '(.*)' does not exist\.?$"), "“{0}”不存在"),
    (re.compile(r"^(?:Path|File|Directory) '(.*)' is a directory\.?$"), "“{0}”是一个目录"),
    (re.compile(r"^(?:Path|File|Directory) '(.*)' is a file\.?$"), "“{0}”是一个文件"),
    (re.compile(r"^(?:Path|File|Directory) '(.*)' is not readable\.?$"), "“{0}”不可读"),
    (re.compile(r"^Missing command\.?$"), "缺少命令"),
)


def _translate(text: str) -> str:
    """Click's and Typer's English messages in Chinese; quoted choices lose their quotes."""
    for pattern, chinese in _ENGLISH:
        found = pattern.search(text)
        if found:
            parts = [re.sub(r"'([^']*)'", r"\1", g or "") for g in found.groups()]
            parts = [re.sub(r",? or |, ", "、", p) for p in parts]
            return chinese.format(*parts)
    return text


def _name(param: Any) -> str:
    """How a message names a parameter: an argument by its Chinese placeholder, an option
    by its flags."""
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.metavar or param.name)
    return " / ".join(param.opts)


def usage_message(exc: Any) -> str:
    """A Typer/Click usage error, said in Chinese (its English words where none is known)."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        hint = _name(param)
    if isinstance(hint, list | tuple):
        hint = " / ".join(hint)
    if kind == "NoSuchOption":
        guesses = getattr(exc, "possibilities", None)
        tail = f"，是不是 {'、'.join(guesses)}？" if guesses else ""
        return f"没有选项 {exc.option_name}{tail}"
    if kind == "MissingParameter":
        what = "参数" if getattr(param, "param_type_name", "") == "argument" else "选项"
        return f"缺少{what} {hint or ''}".rstrip()
    message = _translate(str(getattr(exc, "message", exc)))
    return f"{hint}：{message}" if hint and kind == "BadParameter" else message


def load_command(name: str) -> Any:
    """Import a command's module and build its Click command (a group for a sub-app)."""
    module_name, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    from jcnian.commands.values import strict_numbers

    return localise(strict_numbers(command))


class _Group(ChineseGroup):
    """Root group: loads sub-commands on demand; its ``invoke`` is where errors become messages."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            if self._listing:
                # The root --help shows only names and first lines: build nothing.
                return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name][2])
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the command; usage errors are shown here, in Chinese, with exit code 2."""
        localise(self)
        from jcnian import invocation

        argv = kwargs.get("args", args[0] if args else None)
        invocation.set_command(sys.argv[1:] if argv is None else list(argv))  # the log's command line
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except Exception as exc:
            names = {cls.__name__ for cls in type(exc).__mro__}
            if "NoArgsIsHelpError" in names:
                # A bare group (``jcnian``, ``jcnian grade``): its help has been shown.
                if str(getattr(exc, "message", "") or ""):
                    typer.echo(exc.message)
                sys.exit(0)
            if "ClickException" in names:
                say(f"用法错误：{usage_message(exc)}", "red")
                command = getattr(getattr(exc, "ctx", None), "command_path", None) or "jcnian"
                say(f"查看用法：{command} -h")
                sys.exit(getattr(exc, "exit_code", 2))
            if "Abort" in names:
                say("已取消。")
                sys.exit(1)
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                _silence_stdout()
                sys.exit(PIPE_CLOSED)
            raise
        sys.exit(code if isinstance(code, int) else 0)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: Any) -> Any:
        from jcnian.commands.values import check_arguments

        check_arguments([*getattr(ctx, "_protected_args", ()), *ctx.args])
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _is_cli_signal(exc):
                raise
            from jcnian.errors import JcnianError

            if isinstance(exc, BrokenPipeError):
                _silence_stdout()
                raise typer.Exit(PIPE_CLOSED) from None
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                _silence_stdout()  # the output (``> file`` on a full disk) cannot be written
                say("错误：磁盘已满，输出没有写完；请腾出磁盘空间后再试。", "red")
                raise typer.Exit(1) from None
            debug = isinstance(ctx.obj, State) and ctx.obj.debug
            if debug:
                from jcnian.inert import redact, terminal

                sys.stderr.write(terminal(redact(traceback.format_exc())))
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
    add_completion=False,
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
    campaign: str | None = typer.Option(
        None,
        "--campaign",
        envvar="JCNIAN_CAMPAIGN",
        metavar="镇名/年份",
        help="账本有多个活动（多个镇或多个年度）时指定其一，如 驿亭镇/2012；只有一个时不必写。",
    ),
    by: str | None = typer.Option(
        None,
        "--by",
        metavar="姓名",
        help="操作人，记入留痕（jcnian log），默认取环境变量 JCNIAN_USER 或系统用户名。",
    ),
) -> None:
    """基层年（jcnian）：基层组织建设年活动台账。"""
    from jcnian import invocation

    invocation.set_actor(by)
    ctx.obj = State(db=db, debug=debug, campaign=campaign)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="jcnian")
