"""The ledger's trail and its way back: ``log``, ``backup``, ``restore``, ``dump``, ``load``, ``check``."""

import json
import sys
from pathlib import Path
from typing import Any

import typer

from jcnian.commands.common import Format, FormatOption, emit, emit_json, ledger, say, state

log_app = typer.Typer(
    help="留痕：谁在什么时候用什么命令改了哪些记录（最新的在前）。\n\n示例：jcnian log --table liaison --since 2012-05-01",
    invoke_without_command=True,
)

_TABLE_HELP = "只列改动了这张表的记录，如 branch、liaison、score。"
WholeLedgerOption = typer.Option(
    False, "--whole-ledger", help="不限于所选活动：整个账本（各镇、各年度）的留痕，供市里核查。"
)


@log_app.callback()
def log_list(
    ctx: typer.Context,
    branch: str | None = typer.Option(
        None, "--branch", "-b", metavar="党组织", help="只列涉及这个党组织的记录。"
    ),
    table: str | None = typer.Option(None, "--table", "-t", metavar="表", help=_TABLE_HELP),
    by: str | None = typer.Option(None, "--by", metavar="姓名", help="只列这个人做的改动。"),
    since: str | None = typer.Option(
        None, "--since", metavar="日期", help="从这一天起（含），如 2012-05-01。"
    ),
    until: str | None = typer.Option(None, "--until", metavar="日期", help="到这一天止（含）。"),
    whole: bool = WholeLedgerOption,
    fmt: Format = FormatOption,
) -> None:
    """留痕：谁在什么时候用什么命令改了哪些记录（最新的在前）。

    每个写入账本的命令都在同一事务中追加一条，记有时间（按本机时区显示）、操作人
    （全局 --by，或环境变量 JCNIAN_USER，或系统用户名）、命令行和每条记录改动前后的值。
    留痕只能追加，不能修改或删除；jcnian check 核对其校验链。账本中有多个活动时只列
    所选活动（--campaign）的留痕和涉及整个账本的留痕；--whole-ledger 列出全部。

    示例：jcnian log --branch 五夫村 --since 2012-05-01 --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    from dataclasses import asdict

    from jcnian import trail
    from jcnian.commands.common import parse_date

    first = parse_date(since, "--since") if since else None
    last = parse_date(until, "--until") if until else None
    with ledger(ctx, write=False) as session:
        found = trail.entries(
            session, whole_ledger=whole, branch=branch, table=table, by=by, since=first, until=last
        )
    out = [asdict(e) for e in found]
    emit(
        out,
        [("id", "编号"), ("at", "时间"), ("by", "操作人"), ("command", "命令"), ("summary", "改动")],
        fmt,
        title="留痕",
    )
    if not out and fmt is Format.table:
        say("没有符合条件的留痕记录。")


@log_app.command("show")
def log_show(
    ctx: typer.Context,
    entry: int = typer.Argument(..., metavar="编号", help="留痕记录的编号（jcnian log 第一列）。"),
    whole: bool = WholeLedgerOption,
    fmt: Format = FormatOption,
) -> None:
    """查看一条留痕：每条记录改动前后的值。

    示例：jcnian log show 12 --format json
    """
    from jcnian import trail

    with ledger(ctx, write=False) as session:
        row = trail.entry(session, entry, whole_ledger=whole)
    changes = row["changes"]
    if fmt is Format.json:
        emit_json(row)
        return
    rows = []
    for c in changes:
        if "rows" in c:
            rows.append(
                {
                    "table": c["table"],
                    "op": c["op"],
                    "key": "",
                    "column": "（批量）",
                    "before": "",
                    "after": f"{c['rows']} 行",
                }
            )
            continue
        before, after = c.get("before") or {}, c.get("after") or {}
        for column in sorted(set(before) | set(after)):
            if c["op"] == "update" and before.get(column) == after.get(column):
                continue
            rows.append(
                {
                    "table": c["table"],
                    "op": c["op"],
                    "key": json.dumps(c["key"], ensure_ascii=False),
                    "column": column,
                    "before": _text(before.get(column)) if c["op"] != "insert" else "",
                    "after": _text(after.get(column)) if c["op"] != "delete" else "",
                }
            )
    if fmt is Format.table:
        say(f"留痕 {row['id']}：{row['at_local']}，{row['by']}，{row['command']}")
    emit(
        rows,
        [
            ("table", "表"),
            ("op", "操作"),
            ("key", "键"),
            ("column", "列"),
            ("before", "改前"),
            ("after", "改后"),
        ],
        fmt,
    )


def _text(value: Any) -> str:
    if value is None:
        return "（空）"
    text_ = str(value)
    return text_ if len(text_) <= 200 else text_[:200] + "……"


def backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="文件", help="备份写到这个新文件（不覆盖已有文件）。"),
) -> None:
    """备份账本：别人正在登记时也得到一致的副本。

    示例：jcnian backup 备份/账本-0501.db
    """
    from jcnian import safety

    source = safety.sqlite_file(state(ctx).db)
    safety.backup_file(source, file)
    say(f"已备份账本 {source} 到 {file}（{file.stat().st_size / 1e6:.1f} MB）。")


def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="文件", help="jcnian backup 或安全副本的文件。"),
    yes: bool = typer.Option(False, "--yes", help="确认用备份替换当前账本。"),
) -> None:
    """先检查备份，再用它替换账本；被替换的账本另存一份。

    检查备份的完整性、是否 jcnian 账本、结构版本，有问题则不作任何改动。

    示例：jcnian restore 备份/账本-0501.db --yes
    """
    from jcnian import safety
    from jcnian.commands.common import confirm

    target = safety.sqlite_file(state(ctx).db)
    safety.check_backup(file)
    confirm(yes, f"用 {file} 替换账本 {target}？")
    dated, copy = safety.restore(target, file)
    if dated is not None:
        say(f"被替换的账本已留存为 {dated}；安全副本在 {copy}。")
    say(f"已用 {file} 恢复账本 {target}。")


def dump(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="文件", help="导出到这个文件（JSON lines）；- 为标准输出。"),
) -> None:
    """把每张表（含留痕）导出为 JSON lines。

    示例：jcnian dump 账本.jsonl
    """
    from jcnian import safety

    with ledger(ctx, write=False) as session:
        conn = session.connection()
        if str(file) == "-":
            safety.dump(conn, sys.stdout)
            return
        partial = file.with_name(f".{file.name}.partial")
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as out:
                n = safety.dump(conn, out)
            partial.replace(file)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            from jcnian.db import os_fault

            raise os_fault(exc, file) from exc
    say(f"已导出 {n} 条记录到 {file}。")


def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="文件", help="jcnian dump 导出的文件。"),
) -> None:
    """把 jcnian dump 的文件原样载入一个新账本。

    示例：jcnian --db 新账本.db load 账本.jsonl
    """
    from jcnian import db, safety

    if not file.is_file():
        raise typer.BadParameter(f"“{file}”不存在。", param_hint="文件")
    engine = db.open_engine(state(ctx).db, create=True)
    try:
        with file.open(encoding="utf-8") as lines, engine.begin() as conn:  # as it was: no entry of its own
            n = safety.load(conn, lines, str(file))
    except BaseException as exc:
        fault = db.storage_fault(exc)
        if fault is None:
            raise
        raise fault from exc
    finally:
        engine.dispose()
    say(f"已从 {file} 载入 {n} 条记录。")


def check(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """检查账本是否可信（完整、外键、留痕链、定级历史、得分范围）。

    没有问题时退出码为 0；有问题时逐条列出，退出码为 1。

    示例：jcnian check --format json
    """
    from jcnian import db
    from jcnian.checks import run_checks

    url = db.resolve_url(state(ctx).db)
    path = db.sqlite_path(url)
    if path is not None and not path.is_file():
        from jcnian.errors import LedgerNotFound

        raise LedgerNotFound(f"账本 {path} 不存在。")
    engine = db.make_engine(url, immutable=path is not None and db._read_without_side_files(path))
    try:
        with db.transaction(engine, write=False) as session:
            problems = run_checks(session.connection())
    finally:
        engine.dispose()
    if fmt is Format.json:
        emit_json({"ok": not problems, "problems": [p.as_dict() for p in problems]})
    elif fmt is Format.csv:
        emit([p.as_dict() for p in problems], [("check", "检查"), ("message", "问题")], fmt)
    elif problems:
        say(f"发现 {len(problems)} 个问题：", "red")
        for p in problems:
            sys.stdout.write(f"  [{p.check}] {p.message}\n")
    else:
        say("账本检查通过：文件完整，外键、结构版本、留痕校验链、定级历史、得分范围均无问题。")
    if problems:
        raise typer.Exit(1)


db_app = typer.Typer(help="账本结构版本：查看、升级。\n\n示例：jcnian db current", no_args_is_help=True)


def _found_version(ctx: typer.Context) -> tuple[str, int | None, str | None]:
    """Where the ledger is, its ``meta.schema_version`` and Alembic's revision (a read)."""
    from jcnian import db
    from jcnian.errors import LedgerNotFound
    from jcnian.inert import redact

    url = db.resolve_url(state(ctx).db)
    path = db.sqlite_path(url)
    if path is not None and not path.is_file():
        raise LedgerNotFound(f"账本 {path} 不存在。")
    engine = db.make_engine(url, immutable=path is not None and db._read_without_side_files(path))
    try:
        with engine.execution_options(**{db.WRITE: False}).connect() as conn:
            return (str(path or redact(url)), *db.stored_schema(conn))
    except Exception as exc:
        fault = db.storage_fault(exc, path)
        if fault is None:
            raise
        raise fault from exc
    finally:
        engine.dispose()


def _schema_state(found: int | None, revision: str | None) -> str:
    """none, older, current or newer: what ``db current`` says of the ledger's schema."""
    from jcnian.migrations import HEAD, version_of
    from jcnian.models import SCHEMA_VERSION

    if found is None and revision is None:
        return "none"
    if (found or 0) > SCHEMA_VERSION or (revision is not None and version_of(revision) is None):
        return "newer"
    if found == SCHEMA_VERSION and revision == HEAD:
        return "current"
    return "older"


@db_app.command("current")
def db_current(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """查看账本的结构版本和本程序的结构版本（不作改动）。

    标准输出为账本的结构版本号（没有时为“无”）；--format json 另给出 Alembic 修订号、
    本程序的版本和修订号，以及 state：current（相同）、older（可升级）、newer（账本
    较新，请升级 jcnian）、none（还不是账本）。

    示例：jcnian db current --format json
    """
    from jcnian.migrations import HEAD
    from jcnian.models import SCHEMA_VERSION

    where, found, revision = _found_version(ctx)
    status = _schema_state(found, revision)
    if fmt is not Format.table:
        row = {
            "ledger": where,
            "schema_version": found,
            "revision": revision,
            "program_schema_version": SCHEMA_VERSION,
            "program_revision": HEAD,
            "state": status,
        }
        if fmt is Format.json:
            emit_json(row)
        else:
            emit([row], [(k, k) for k in row], fmt)
        return
    sys.stdout.write(f"{found if found is not None else '无'}\n")
    if status == "none":
        say(f"{where} 没有记载结构版本，还不是 jcnian 账本。")
    elif status == "newer":
        say(
            f"账本 {where} 的结构版本为 {found}（修订 {revision or '无'}），高于本程序的 {SCHEMA_VERSION}，请升级 jcnian。"
        )
    elif status == "older":
        say(
            f"账本 {where} 的结构版本为 {found}（修订 {revision or '无'}），本程序为 {SCHEMA_VERSION}（修订 {HEAD}）："
            "运行 jcnian db upgrade 升级（先自动备份）。"
        )
    else:
        say(f"账本 {where} 的结构版本为 {found}（修订 {revision}），与本程序相同。")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """把账本升级到本程序的结构版本；升级前先在账本旁做安全副本。

    任何写入命令遇到旧版本的账本时也会这样先备份、再升级；已是本程序的版本时不作改动。
    较新的 jcnian 写过的账本一律拒绝，不作改动。

    示例：jcnian db upgrade
    """
    from jcnian import db, safety
    from jcnian.migrations import HEAD
    from jcnian.models import SCHEMA_VERSION

    where, found, revision = _found_version(ctx)
    engine = db.open_engine(state(ctx).db)
    engine.dispose()
    for notice in safety.take_notices():
        say(notice)
    if found == SCHEMA_VERSION and revision == HEAD:
        say(f"账本 {where} 的结构版本已是 {SCHEMA_VERSION}，无需升级。")
    elif found == SCHEMA_VERSION:
        say(f"账本 {where} 的结构版本已是 {SCHEMA_VERSION}；已记下它的修订号 {HEAD}（结构未变）。")
    else:
        say(f"已把账本 {where} 的结构从版本 {found} 升级到 {SCHEMA_VERSION}（修订 {HEAD}）。")
