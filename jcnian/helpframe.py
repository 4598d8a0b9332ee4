"""Typer's help frame and Click's messages in Chinese.

Typer writes the frame around our Chinese help texts in English ("Usage:", "Options",
"[required]", "Show this message and exit.", ``<str>``, ``<bool>``) and answers an unknown
sub-command with "No such command … Did you mean …?". Here, for every command of the tree:

- the classes of commands, groups and parameters are swapped for the subclasses below
  (``localise``), which write the usage line, the type placeholders and the help option in
  Chinese, answer an unknown command in Chinese with the closest names, and attach the
  command's context to a usage error raised while parsing it (so that the hint points at the
  help of the command that was used);
- the module-level strings of ``typer.rich_utils`` (panel titles, ``[必填]``, ``[默认：…]``)
  are set only when help is about to be drawn (``install_strings``): that module imports
  Rich, which ``jcnian --help`` would otherwise not need before it draws.

Arguments carry their Chinese placeholder as ``metavar`` where they are declared; an option
without one is named by its type (文本, 整数, 数值, 路径) and a flag has none.
"""

import difflib
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

USAGE_PREFIX = "用法："
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
HELP_TEXT = "显示本帮助并退出。"

# typer.rich_utils module strings -> Chinese (set by install_strings).
RICH_STRINGS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "REQUIRED_SHORT_STRING": "*",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "DEPRECATED_STRING": "（已停用）",
    "ABORTED_TEXT": "已取消。",
    "RICH_HELP": "查看用法：{command_path} {help_option}",
}
# Typer's type placeholders (``display_type``) -> Chinese.
TYPE_NAMES = {
    "<str>": "文本",
    "<int>": "整数",
    "<float>": "数值",
    "<path>": "路径",
    "<file>": "文件",
    "<directory>": "目录",
    "<bool>": "",
    "<list[str]>": "文本...",
    "<list[path]>": "路径...",
}


# Placeholders of options that take a date, a month, a file … (an option may set its own).
OPTION_NAMES = {
    "--as-of": "日期",
    "--on": "日期",
    "--start": "日期",
    "--due": "日期",
    "--week": "日期",
    "--day": "日期",
    "--deadline": "日期",
    "--month": "年-月",
    "--output": "文件",
    "--from": "文件",
    "--db": "路径或URL",
}


def install_strings() -> None:
    """Set Typer's help-frame strings to Chinese (imports Rich: call only to draw help).

    Also breaks help texts as Chinese is broken: Rich breaks lines only at spaces and cuts a
    longer run with "…", so a Chinese sentence (one run, no spaces) would lose its end, and
    with it the list of choices an option's help gives. Typer builds every help text with
    ``_make_rich_text``; its Text objects become ``_ChineseText``, which breaks lines by
    ``jcnian.breaking`` (between Chinese characters, never inside a date or an option).
    """
    from typer import rich_utils

    for name, value in RICH_STRINGS.items():
        setattr(rich_utils, name, value)
    make = rich_utils._make_rich_text
    if not getattr(make, "folds", False):

        def folding(*args: Any, **kwargs: Any) -> Any:
            text = make(*args, **kwargs)
            if type(text).__name__ == "Text":
                text.__class__ = _chinese_text()
            return text

        folding.folds = True  # type: ignore[attr-defined]
        rich_utils._make_rich_text = folding


def _chinese_text() -> type:
    """Rich's Text, wrapping by ``jcnian.breaking`` (built on first use: it imports Rich)."""
    global _CHINESE_TEXT
    if _CHINESE_TEXT is None:
        from rich.containers import Lines
        from rich.text import Text

        from jcnian.breaking import line_starts

        class ChineseText(Text):
            __slots__ = ()

            def wrap(self, console: Any, width: int, **kwargs: Any) -> Any:
                if kwargs.get("no_wrap") or self.no_wrap:
                    return super().wrap(console, width, **kwargs)
                lines = Lines()
                for line in self.split(allow_blank=True):
                    for part in line.divide(line_starts(line.plain, width)):
                        part.rstrip_end(width)
                        part.rstrip()
                        lines.append(part)
                return lines

        _CHINESE_TEXT = ChineseText
    return _CHINESE_TEXT


_CHINESE_TEXT: type | None = None


class ChineseArgument(TyperArgument):
    """An argument shows its Chinese placeholder (its metavar) and no type beside it."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class ChineseOption(TyperOption):
    """An option shows its metavar, else its type in Chinese; a flag shows nothing."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag:
            return None
        if self.metavar is not None:
            return self.metavar
        for opt in self.opts:
            if opt in OPTION_NAMES:
                return OPTION_NAMES[opt]
        shown = self.display_type(ctx)
        return TYPE_NAMES.get(shown, shown)


def _swap(param: Any) -> None:
    if type(param) is TyperArgument:
        param.__class__ = ChineseArgument
    elif type(param) is TyperOption:
        param.__class__ = ChineseOption


def _chinese(base: type) -> type:
    """``base`` (TyperCommand or TyperGroup) with the usage line, the help option and parse
    errors in Chinese. Single inheritance keeps the instance layout, so that the class of a
    command Typer has built can be swapped."""

    class Chinese(base):  # type: ignore[valid-type,misc]
        def format_usage(self, ctx: Any, formatter: Any) -> None:
            pieces = self.collect_usage_pieces(ctx)
            formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

        def format_help(self, ctx: Any, formatter: Any) -> None:
            install_strings()
            super().format_help(ctx, formatter)

        def get_help_option(self, ctx: Any) -> Any:
            option = super().get_help_option(ctx)
            if option is not None and type(option) is TyperOption:
                option.__class__ = ChineseOption
                option.help = HELP_TEXT
            return option

        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            try:
                return super().parse_args(ctx, args)
            except Exception as exc:
                # The parser raises some usage errors without a context: give them this one,
                # so that the message points at this command's help, not the root's.
                if hasattr(exc, "ctx") and exc.ctx is None:
                    exc.ctx = ctx
                    exc.cmd = ctx.command
                raise

    return Chinese


class ChineseCommand(_chinese(TyperCommand)):  # type: ignore[misc]
    pass


class ChineseGroup(_chinese(TyperGroup)):  # type: ignore[misc]
    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if (
            name
            and not name.startswith("-")
            and not ctx.resilient_parsing
            and self.get_command(ctx, name) is None
        ):
            names = self.list_commands(ctx)
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
            hint = f"，是不是 {'、'.join(close)}？" if close else f"；可用的命令：{'、'.join(names)}"
            ctx.fail(f"没有命令“{name}”{hint}")
        return super().resolve_command(ctx, args)


def localise(command: Any) -> Any:
    """Swap a built command tree (a command or a group and all below it) to the Chinese frame."""
    if type(command) is TyperGroup:
        command.__class__ = ChineseGroup
    elif type(command) is TyperCommand:
        command.__class__ = ChineseCommand
    command.options_metavar = OPTIONS_METAVAR
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = SUBCOMMAND_METAVAR
        for sub in command.commands.values():
            localise(sub)
    for param in command.params:
        _swap(param)
    return command
