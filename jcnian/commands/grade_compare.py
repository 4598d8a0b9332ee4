"""``jcnian grade compare``: each branch's final grade this year and another, and what moved.

Added to ``grade_app`` by commands/grade.py; the domain is jcnian.gradebook.compare.
"""

from dataclasses import asdict
from typing import Any

import typer

from jcnian.commands.common import Format, FormatOption, Limit, RowsLimitOption, WideOption, emit, ledger
from jcnian.commands.layout import optional

COUNT_COLUMNS = [
    ("category", "分类"),
    ("up", "升级"),
    ("down", "降级"),
    ("same", "持平"),
    ("ungraded", "未终定"),
    ("new", "新增"),
    ("gone", "不再有"),
]


def compare(
    ctx: typer.Context,
    other: str = typer.Option(
        ..., "--with", "-w", metavar="镇名/年份", help="与哪个活动比较，如 驿亭镇/2013（另一年度）。"
    ),
    wide: bool = WideOption,
    limit: int | None = RowsLimitOption,
    fmt: Format = FormatOption,
) -> None:
    """两个年度的等级对比：升级、降级、持平，新增和不再有的党组织。

    当前活动（--campaign，只有一个时不必写）与 --with 的活动逐个党组织对比终定等级：取现在账本中的等级，
    即终定、改定、验收后重新评定中最后的一次（与 grade list 的“等级”相同）；总是从较早的年度看较晚的年度。
    两年的党组织按名称对应，名称不同时按任一年度登记的别名对应（branch alias）；只在较晚年度有的为“新增”，
    只在较早年度有的为“不再有”，有一年尚未终定的为“未终定”。表后按分类统计（分类取较晚年度的）。

    JSON：{"before", "after", "branches": [{"name", "category", "before_name", "before", "after", "movement",
    "matched_by"}], "counts": [{"category", "up", "down", "same", "ungraded", "new", "gone"}]}，counts 最后一项为“全部”。
    CSV 为 branches 各行。

    示例：jcnian --campaign 驿亭镇/2012 grade compare --with 驿亭镇/2013
    """
    from jcnian.gradebook.compare import compare as domain

    with ledger(ctx, write=False) as session:
        result = domain(session, other)
    rows = [asdict(r) for r in result.rows]
    counts = [asdict(c) for c in result.counts]
    shown = [r | {"before_name": r["before_name"] if r["before_name"] != r["name"] else None} for r in rows]
    columns = [
        ("name", "党组织"),
        optional("category", "分类"),
        optional("before_name", f"{result.before} 的名称"),
        ("before", f"{result.before} 等级"),
        ("after", f"{result.after} 等级"),
        ("movement", "变化"),
    ]

    def footer() -> None:
        emit(counts, COUNT_COLUMNS, Format.table, title="按分类统计")

    data: dict[str, Any] = {
        "before": result.before,
        "after": result.after,
        "branches": rows,
        "counts": counts,
    }
    emit(
        shown,
        columns,
        fmt,
        title=f"等级对比：{result.before} → {result.after}（{len(rows)} 个党组织）",
        json_rows=data,
        footer=footer,
        wide=wide,
        limit=Limit(limit, default=200),
    )
