"""The city's roll-up workbook: a sheet per view of ``city summary``, laid out as the monthly
workbook is (jcnian.report.workbook: A4, landscape where wide, the header on every page, one
page wide, the title above and the page number below, formula-like text kept inert)."""

from datetime import datetime, time
from typing import Any

from jcnian.city import ALL, CITY, CitySummary
from jcnian.phases import PHASE_CODES, PHASE_LABELS
from jcnian.report.workbook import Column, Sheet, Table, write_workbook

PLACE = [Column("镇"), Column("分类")]


def title_of(summary: CitySummary) -> str:
    return f"{summary.year}年基层组织建设年活动全市汇总"


def verdict(row: dict[str, Any]) -> str:
    """A row's quota verdict as a clerk reads it: a town's 符合/不符, the city's towns that meet it."""
    if row["quota_ok"] is None:
        return "未定级"
    if row["town"] == CITY:
        return f"{row['quota_towns_ok']}/{row['quota_towns']} 镇符合"
    return "符合" if row["quota_ok"] else "不符"


def _place(row: dict[str, Any]) -> list[Any]:
    return [row["town"], row["category"]]


def sheets_of(summary: CitySummary) -> list[Sheet]:
    when = f"截至 {summary.as_of}，{len(summary.campaigns)} 个镇"
    rows = summary.rows
    distribution = Sheet(
        "等级分布",
        [
            Table(
                [*PLACE, *(Column(h, "int") for h in ("党组织", "好", "较好", "一般", "较差", "未定级"))],
                (
                    [
                        *_place(r),
                        r["branches"],
                        r["good"],
                        r["fairly_good"],
                        r["average"],
                        r["poor"],
                        r["ungraded"],
                    ]
                    for r in rows
                ),
            )
        ],
        notes=[f"各镇等级分布（{when}；终定优先，否则按拟定，与 grade quota 相同）"],
    )
    quota = Sheet(
        "比例检查",
        [
            Table(
                [*PLACE, Column("参评数", "int"), Column("结论")],
                ([*_place(r), r["branches"] - r["ungraded"], verdict(r)] for r in rows),
            ),
            Table(
                [
                    Column("镇"),
                    Column("范围"),
                    Column("参评数", "int"),
                    Column("档"),
                    Column("比例", "percent"),
                    Column("目标数", "int"),
                    Column("允许最少", "int"),
                    Column("允许最多", "int"),
                    Column("实有", "int"),
                    Column("结论"),
                ],
                (
                    [
                        q["town"],
                        q["scope"],
                        q["graded"],
                        q["band"],
                        q["target_share"],
                        q["target"],
                        q["min"],
                        q["max"],
                        q["actual"],
                        "符合" if q["ok"] else "不符",
                    ]
                    for q in summary.quota
                ),
                title="各镇各档明细",
            ),
        ],
        notes=[
            f"等级比例检查（{when}）",
            "好+较好 约 30%、一般 约 60%、较差 约 10%；镇的“全部”行为该镇 grade quota 的结论"
            "（全部和各分类都符合才算符合），全市行为符合的镇数。",
        ],
    )
    phase_columns = [
        Column(f"{PHASE_LABELS[code]}{part}", "int")
        for code in PHASE_CODES
        for part in ("完成", "应完成", "有逾期")
    ]
    progress = Sheet(
        "阶段进度",
        [
            Table(
                [*PLACE, *phase_columns],
                (
                    [
                        *_place(r),
                        *(
                            r[f"{code}_{part}"]
                            for code in PHASE_CODES
                            for part in ("done", "total", "overdue")
                        ),
                    ]
                    for r in rows
                ),
            )
        ],
        notes=[f"各阶段进度（{when}；与各镇 status 相同：党组织数，全部完成的、有逾期的）"],
    )
    overdue = Sheet(
        "逾期与后进",
        [
            Table(
                [*PLACE, Column("逾期未完成", "int"), Column("逾期完成", "int"), Column("后进党组织", "int")],
                ([*_place(r), r["overdue"], r["late_done"], r["backward"]] for r in rows),
            )
        ],
        notes=[
            f"逾期事项与后进党组织（{when}）",
            f"逾期事项与各镇 overdue 所列相同；后进党组织为 grade backward 名单的个数（只在其分类和“{ALL}”行）。",
        ],
    )
    return [distribution, quota, progress, overdue]


def write_city_workbook(target: Any, summary: CitySummary, *, force: bool = False) -> Any:
    """The roll-up written atomically to ``target``; the document date is the as-of day, so the
    same ledger and day give the same file."""
    return write_workbook(
        target,
        sheets_of(summary),
        title=title_of(summary),
        created=datetime.combine(summary.as_of, time()),
        force=force,
    )
