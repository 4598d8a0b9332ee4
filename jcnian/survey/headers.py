"""The header row of a survey sheet: which column holds what, and so which layout the sheet is.

Chinese offices head the same column a dozen ways (党组织, 党组织名称, 单位, 被测评单位 …),
English exports another few, often with a unit in brackets (``得分（分）``, ``好（票）``). The
header may sit below a title or two, and a merged group heading (测评票数 over 好/较好/一般/较差)
may split it over two rows. From the columns found, the layout follows:

- long: 党组织, 评价主体, 指标, 得分 (optional 测评人, 扣分事项, 扣分);
- wide: 党组织, 评价主体, then one column per indicator;
- counts: 党组织 with 好/较好/一般/较差 or 满意/基本满意/不满意 columns;
- ballots: 测评人, 党组织, 评价 (one ballot per row).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jcnian.grading import GRADE_OPTIONS, SATISFACTION_OPTIONS
from jcnian.names import normalise
from jcnian.problems import Problem, column_letter
from jcnian.survey.cells import cell_text
from jcnian.survey.problems import Problems
from jcnian.typed import parse_points

LAYOUT_LABELS = {
    "long": "长表（每行一项得分）",
    "wide": "宽表（每项指标一列）",
    "counts": "票数汇总",
    "ballots": "逐张选票",
}
HEADER_SCAN_ROWS = 30  # title rows above the header are looked through up to this row


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string, so the tables below stay readable."""
    return tuple(text.split())


# Header words per column role, as Chinese offices and English exports write them.
_ROLE_WORDS: dict[str, tuple[str, ...]] = {
    role: _words(words)
    for role, words in {
        "branch": "党组织 党组织名称 基层党组织 基层党组织名称 党支部 党支部名称 支部 支部名称 单位 "
        "单位名称 组织名称 被测评单位 被测评党组织 被评价党组织 测评对象 评价对象 "
        "branch branchname partybranch organisation organization org",
        "source": "评价主体 评议主体 测评主体 评分主体 评价方式 评价类别 主体 source evaluator",
        "indicator": "指标 评价指标 测评指标 考核指标 考评指标 评分指标 评议指标 定级指标 指标名称 指标项目 "
        "评分项目 考核项目 考评项目 测评项目 评价项目 评议项目 测评内容 考核内容 项目 indicator",
        "points": "得分 分数 分值 评分 打分 实得分 得分值 测评得分 考评得分 考核得分 评议得分 评价得分 "
        "评定得分 最后得分 points score",
        "deduct": "扣分 扣分分值 扣除分值 deduct deduction",
        "item": "扣分事项 扣分项目 扣分原因 扣分理由 扣分内容 item reason",
        "respondent": "测评人 评议人 评价人 评分人 答卷人 投票人 测评人编号 问卷编号 问卷号 选票编号 "
        "respondent rater voter",
        "vote": "评价 评价等次 评价结果 测评结果 测评等次 测评意见 评价意见 投票 vote rating opinion",
        "total": "合计 总分 总计 得分合计 合计得分 总票数 合计票数 票数合计 总数 total sum",
    }.items()
}
BRANCH_WORDS = frozenset(_ROLE_WORDS["branch"])
# Columns a summary sheet often carries that are not survey data.
_IGNORED_WORDS = frozenset(
    _words(
        "序号 编号 no no. 备注 说明 remarks note notes 分类 类别 category 联系领导 联系干部 满意率 好评率 "
        "满意度 排名 名次 等级 拟定等级 定级 初评等级 参评人数 应到人数 实到人数 发出票数 收回票数 有效票 "
        "有效票数 废票 无效票 弃权 日期 填表日期"
    )
)
_ROLES = {word: role for role, words in _ROLE_WORDS.items() for word in words}
_OPTION_WORDS = {
    **{o: o for o in GRADE_OPTIONS + SATISFACTION_OPTIONS},
    "good": "好",
    "fairlygood": "较好",
    "fairly_good": "较好",
    "fairly-good": "较好",
    "average": "一般",
    "poor": "较差",
    "satisfied": "满意",
    "basicallysatisfied": "基本满意",
    "basically_satisfied": "基本满意",
    "basically-satisfied": "基本满意",
    "dissatisfied": "不满意",
    "unsatisfied": "不满意",
}
# Cells that mark a row to read past: a total or average, a sign-off under the table.
TOTAL_WORDS = frozenset(_words("合计 总计 小计 共计 总合计 平均 平均分 平均值 汇总 全镇合计 total sum"))
TOTAL_TAIL = re.compile(r"(合计|小计|总计|平均|平均分|平均值)$")
# A sign-off: who made, checked or filled in the table, when, how to reach them, the stamp, a
# note. Words that only a sign-off starts with stand alone (制表人王䶮); shorter ones that a
# name could start with need a colon after them (注：…, 日期：…).
SIGN_OFF = re.compile(
    r"^(?:(?:制表|填表|填报|统计|审核|复核|审批|校对|编制)(?:人|员|日期|时间|单位)|负责人|经办人|联系人|联系电话|"
    r"单位盖章|盖章|签字|签名|签章|领导签字|主管领导)"
    r"|^(?:制表|填表|填报|统计|审核|复核|审批|校对|备注|说明|注|附注|注意|日期|电话|手机|单位|时间)(?:[:：]|$)"
)
FOOTER = SIGN_OFF  # the name the records module reads it by
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|<[^>]*>|《[^》]*》")
_OPTION_SUFFIX = re.compile(r"(票数|票|人数|人|张)$")


def header_key(value: object) -> str:
    """A header cell as a lookup key: full-width folded, spaces gone, ``(票)`` and ``(15分)`` dropped."""
    text = normalise(cell_text(value))
    return _BRACKETS.sub("", text).lower()


def option_of(key: str) -> str | None:
    """The ballot option a header names (``好``, ``好票数``, ``满意(人)``, ``fairly_good``)."""
    if key in _OPTION_WORDS:
        return _OPTION_WORDS[key]
    return _OPTION_WORDS.get(_OPTION_SUFFIX.sub("", key))


@dataclass
class Columns:
    """Which column holds what, as recognised from the header row (0-based indices)."""

    branch: int
    source: int | None = None
    indicator: int | None = None
    points: int | None = None
    deduct: int | None = None
    item: int | None = None
    respondent: int | None = None
    vote: int | None = None
    total: int | None = None
    options: dict[int, str] = field(default_factory=dict)  # counts: column -> ballot option
    indicators: dict[int, str] = field(default_factory=dict)  # wide: column -> indicator as headed


def roles_in(cells: Sequence[Any]) -> dict[str, int]:
    """The first column of each role a row's cells name."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        role = _ROLES.get(header_key(cell))
        if role and role not in found:
            found[role] = i
    return found


def has_header(rows: Sequence[Sequence[Any]]) -> bool:
    """Whether any of these rows names a branch column: how a survey sheet is told from others."""
    return any(roles_in(cells).get("branch") is not None for cells in rows)


def find_header(rows: Iterable[tuple[int, Sequence[Any]]]) -> tuple[int, list[Any]] | None:
    """The first row, among the first rows with content, that names a branch column."""
    seen = 0
    for row_no, cells in rows:
        if not any(cell_text(c) for c in cells):
            continue
        seen += 1
        if roles_in(cells).get("branch") is not None:
            return row_no, list(cells)
        if seen >= HEADER_SCAN_ROWS:
            return None
    return None


def sub_header(header: list[Any], branch_col: int, cells: Sequence[Any]) -> list[Any] | None:
    """A second header row under group headings, however the cells are merged.

    A group heading (测评票数 over 好/较好/一般/较差, 指标得分 over the indicators) is merged
    across, or written once with blank cells beside it; the cells beside the group may be
    merged down (filled in by the sheet reader) or left blank. The row below is taken as the
    rest of the header when each name in it sits under the group heading or a blank of the
    header row, or repeats the header's own name, or names a column role; a row holding a
    number, or text under a named column of its own, is data.
    """
    below = cell_text(cells[branch_col]) if branch_col < len(cells) else ""
    if below and header_key(below) != header_key(header[branch_col]):
        return None
    tops = [cell_text(header[i]) if i < len(header) else "" for i in range(max(len(header), len(cells)))]
    grouped = False
    for i, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            continue
        if _is_number(cell):
            return None
        key = header_key(text)
        if key == header_key(tops[i]):
            continue  # merged down, or the same name repeated
        if not tops[i] or (i + 1 < len(tops) and not tops[i + 1]) or key in _ROLES or option_of(key):
            grouped = True  # under a blank of the header row, a group heading, or a column role
            continue
        return None
    if not grouped:
        return None
    merged = []
    for i in range(len(tops)):
        low = cell_text(cells[i]) if i < len(cells) else ""
        top = header[i] if i < len(header) else None
        merged.append(low if low else top)
    return merged


def _is_number(cell: object) -> bool:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return True
    try:
        return parse_points(cell) is not None
    except ValueError:
        return False


def recognise_layout(
    headers: list[str], file: str, problems: Problems, header_rows: list[int]
) -> tuple[str, Columns, list[str]] | None:
    """The layout, its columns and the headers left unused; None (with problems) when it cannot be told."""
    roles: dict[str, int] = {}
    options: dict[int, str] = {}
    others: list[int] = []
    ignored: list[str] = []
    ok = True
    for i, text in enumerate(headers):
        key = header_key(text)
        if not key:
            continue
        role = _ROLES.get(key)
        if role:
            if role in roles:
                problems.add(
                    Problem(
                        file,
                        f"“{text}”与 {column_letter(roles[role])} 列（{headers[roles[role]]}）重复，"
                        "请删去其中一列",
                        header_rows[i],
                        i,
                        text,
                    )
                )
                ok = False
            else:
                roles[role] = i
            continue
        option = option_of(key)
        if option:
            if option in options.values():
                problems.add(Problem(file, f"选项“{option}”的票数列重复", header_rows[i], i, text))
                ok = False
            options[i] = option
            continue
        if key in _IGNORED_WORDS:
            ignored.append(text)
            continue
        others.append(i)
    if not ok:
        return None
    cols = Columns(
        branch=roles["branch"],
        source=roles.get("source"),
        indicator=roles.get("indicator"),
        points=roles.get("points"),
        deduct=roles.get("deduct"),
        item=roles.get("item"),
        respondent=roles.get("respondent"),
        vote=roles.get("vote"),
        total=roles.get("total"),
    )
    unused = [headers[i] for i in others]
    if cols.indicator is not None or cols.points is not None or cols.deduct is not None:
        missing = []
        if cols.indicator is None:
            missing.append("指标")
        if cols.points is None and cols.deduct is None:
            missing.append("得分（或 扣分）")
        if missing:
            problems.add(
                Problem(file, f"缺少必需的列：{'、'.join(missing)}（长表需要 党组织、评价主体、指标、得分）")
            )
            return None
        unused += [headers[i] for i in options]
        if cols.vote is not None:
            unused.append(headers[cols.vote])
        return "long", cols, unused + ignored
    if options:
        if cols.vote is not None:
            unused.append(headers[cols.vote])
        cols.options = options
        return "counts", cols, unused + ignored
    if cols.vote is not None:
        return "ballots", cols, unused + ignored
    if others:
        cols.indicators = {i: header_key(headers[i]) for i in others}
        return "wide", cols, ignored
    problems.add(
        Problem(
            file,
            "无法判断表格格式：表头只有党组织，缺少分数或票数的列。"
            "应为以下之一：长表（党组织、评价主体、指标、得分）；宽表（党组织、评价主体、各项指标）；"
            "票数汇总（党组织、好/较好/一般/较差 或 满意/基本满意/不满意）；逐张选票（测评人、党组织、评价）。",
        )
    )
    return None
