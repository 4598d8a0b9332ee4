"""Every ledger table as CSV or JSON for scripts (``jcnian export csv|json TABLE``).

Table exports are driven by the SQLModel metadata, so a table added by a later issue is
exportable without touching this module; rows come in primary-key order, so the same ledger
always gives the same bytes. The monthly workbook's rows are ``jcnian.report.month``'s.
"""

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import Table as SqlTable
from sqlalchemy import func, inspect, select
from sqlalchemy.sql import sqltypes
from sqlmodel import Session, SQLModel

from jcnian import inert
from jcnian.errors import InvalidInput, NotFound
from jcnian.inert import FORMULA_START, spreadsheet
from jcnian.models import load_all_tables
from jcnian.names import closest

# Chinese names of the ledger tables, for `export tables`; a table missing here is listed
# under its own name.
TABLE_LABELS: dict[str, str] = {
    "meta": "账本信息",
    "change_log": "留痕",
    "campaign": "活动",
    "phase_window": "阶段日期",
    "category": "分类",
    "branch": "党组织",
    "branch_alias": "党组织别名",
    "person": "联系人",
    "liaison": "联系领导和联系干部",
    "rubric": "评分办法",
    "survey_import": "测评导入记录",
    "score": "评分",
    "deduction": "逐项扣分",
    "ballot": "群众测评票数",
    "veto": "一票否决",
    "grade_event": "定级记录",
    "dated_rule": "其他时限",
    "mobilisation_meeting": "动员会议",
    "survey_method": "征求意见方式",
    "problem": "问题台账",
    "branch_plan": "争创目标与整改方案",
    "pledge": "公开承诺",
    "project": "工程项目",
    "project_task": "项目任务安排",
    "progress_update": "项目进度",
    "monthly_assessment": "项目月度考核",
    "supervision": "督促指导",
    "visit": "调研走访",
    "monthly_report": "月度书面汇报",
    "branch_regulation": "支部制度",
    "publicity": "宣传标语与专栏",
    "enterprise_coverage": "非公企业党组织覆盖",
    "acceptance_step": "验收考评",
    "acceptance_decision": "验收结论",
    "rectification": "整改意见",
    "gate_override": "越序操作记录",
    "one_line_pledge": "一句话承诺",
    "shining_deed": "创先争优闪光言行",
    "five_one_item": "五个一工程",
    "training_session": "科学发展主题轮训",
    "training_attendance": "轮训参训",
    "branch_secretary": "党组织书记",
    "secretary_change": "书记调整",
    "town_rally": "镇党委动员大会",
    "cadre_pledge": "村干部承诺",
    "quarter_assessment": "村主职干部季考核",
    "economy_plan": "集体经济增收计划",
    "village_income": "村级集体经济收入",
    "pairing": "结对帮扶",
    "pairing_activity": "结对帮扶活动",
    "group_member": "领导小组等成员",
    "publication_scope": "定级公开范围",
}


@dataclass(frozen=True)
class TableInfo:
    """One exportable ledger table: its name for ``export csv``, label, size and columns."""

    name: str
    label: str
    rows: int
    columns: list[str]


def _tables(session: Session) -> list[SqlTable]:
    """The model tables that exist in this ledger, in dependency order (stable)."""
    load_all_tables()
    existing = set(inspect(session.connection()).get_table_names())
    return [t for t in SQLModel.metadata.sorted_tables if t.name in existing]


def ledger_tables(session: Session) -> list[TableInfo]:
    return [
        TableInfo(
            name=t.name,
            label=TABLE_LABELS.get(t.name, t.name),
            rows=session.execute(select(func.count()).select_from(t)).scalar_one(),
            columns=[c.name for c in t.columns],
        )
        for t in _tables(session)
    ]


def find_table(session: Session, name: str) -> SqlTable:
    """A table by its name or Chinese label; unknown names get the closest candidates."""
    tables = _tables(session)
    key = name.strip()
    for t in tables:
        if key in (t.name, TABLE_LABELS.get(t.name)):
            return t
    names = [t.name for t in tables]
    hint = closest(key, names) or names
    raise NotFound(f"没有名为“{name}”的台账表。可选：{'、'.join(hint)}（jcnian export tables 列出全部）。")


def _rows(session: Session, table: SqlTable) -> Iterator[Any]:
    """All rows in primary-key order, fetched in batches so memory stays flat."""
    order = list(table.primary_key.columns) or list(table.columns)
    result = session.execute(select(table).order_by(*order), execution_options={"yield_per": 2000})
    for batch in result.partitions():
        yield from batch


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_rows(table: SqlTable, rows: Iterable[Any], terminal: bool = False) -> Iterator[Sequence[Any]]:
    """Rows ready for csv.writer; only date, time and boolean columns need converting (the
    writer itself turns None into an empty field), which keeps large tables fast. Text that a
    spreadsheet would run as a formula gets a leading ``'`` (jcnian.inert.spreadsheet); going
    to a ``terminal``, control characters are shown, not obeyed (jcnian.inert.terminal)."""
    special = [
        i
        for i, c in enumerate(table.columns)
        if isinstance(c.type, sqltypes.Date | sqltypes.DateTime | sqltypes.Boolean | sqltypes.Time)
    ]
    texts = [
        i
        for i, c in enumerate(table.columns)
        if isinstance(c.type, sqltypes.String) or isinstance(getattr(c.type, "impl", None), sqltypes.String)
    ]
    if not special and not texts:
        yield from rows
        return
    for row in rows:
        if not special and not terminal and not any(row[i] and row[i][0] in FORMULA_START for i in texts):
            yield row
            continue
        values = list(row)
        for i in special:
            values[i] = _csv_text(values[i])
        for i in texts:
            values[i] = spreadsheet(values[i])
            if terminal and values[i]:
                values[i] = inert.terminal(values[i])
        yield values


def write_table_csv(session: Session, name: str, out: IO[bytes], encoding: str = "utf-8-sig") -> int:
    """Write one ledger table as CSV in ``encoding``; returns the number of data rows.

    Headers are the column names (stable keys for scripts). A value the encoding cannot
    hold (a rare character under GBK) is an error naming the row and column, not a ``?``.
    """
    table = find_table(session, name)
    if codecs.lookup(encoding).name == "utf-8-sig":
        # The BOM by hand, then the C utf-8 codec: utf-8-sig's Python encoder costs ~10 %.
        out.write(codecs.BOM_UTF8)
        encoding = "utf-8"
    text = io.TextIOWrapper(out, encoding=encoding, errors="strict", newline="", write_through=False)
    columns = [c.name for c in table.columns]
    writer = csv.writer(text)
    count = 0
    try:
        writer.writerow(columns)
        shown = out.isatty() if hasattr(out, "isatty") else False
        for count, values in enumerate(_csv_rows(table, _rows(session, table), shown), start=1):
            try:
                writer.writerow(values)
            except UnicodeEncodeError as exc:
                texts = [_csv_text(v) for v in values]
                bad = next((c, v) for c, v in zip(columns, texts, strict=True) if _unencodable(v, encoding))
                raise InvalidInput(
                    f"表 {table.name} 第 {count} 条记录（CSV 第 {count + 1} 行）“{bad[0]}”列的“{bad[1]}”含 {encoding} 无法表示的字符"
                    f"“{exc.object[exc.start : exc.end]}”，请改用 --encoding utf-8-sig 或 gb18030。"
                ) from None
        text.flush()
    finally:
        text.detach()
    return count


def _unencodable(value: str, encoding: str) -> bool:
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        return True
    return False


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def write_table_json(session: Session, name: str, out: IO[str]) -> int:
    """Write one ledger table as a JSON array of objects keyed by column name, streamed."""
    table = find_table(session, name)
    columns = [c.name for c in table.columns]
    count = 0
    out.write("[")
    for count, row in enumerate(_rows(session, table), start=1):
        obj = {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
        out.write(("\n  " if count == 1 else ",\n  ") + inert.json_text(json.dumps(obj, ensure_ascii=False)))
    out.write("\n]\n" if count else "]\n")
    return count
