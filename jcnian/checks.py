"""``jcnian check``: can this ledger be trusted? (beancount's bean-check is the model.)

Each check is a function of the ledger's connection returning a list of ``Problem``s; they
run from one list (``CHECKS``) in order: the storage first (SQLite integrity_check and
foreign_key_check), then the schema version, the change log's hash chain and the domain's
invariants. A check that cannot run (the table it reads is missing) says so as a problem
rather than stopping the others.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import text


@dataclass(frozen=True)
class Problem:
    check: str  # the check's name, as --format json gives it
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


Check = Callable[[Any], list[Problem]]


def _rows(conn: Any, sql: str, **params: Any) -> list[Any]:
    return list(conn.execute(text(sql), params).all())


def integrity(conn: Any) -> list[Problem]:
    if conn.dialect.name != "sqlite":
        return []
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
    if rows == ["ok"]:
        return []
    return [Problem("integrity", f"SQLite 完整性检查未通过：{r}") for r in rows]


def foreign_keys(conn: Any) -> list[Problem]:
    if conn.dialect.name != "sqlite":
        return []
    out = []
    for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        out.append(Problem("foreign_key", f"{table} 第 {rowid} 行指向 {parent} 中不存在的记录（孤立记录）。"))
    return out


def schema_version(conn: Any) -> list[Problem]:
    from jcnian.models import SCHEMA_VERSION

    row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
    if row is None:
        return [
            Problem("schema", "账本没有记载结构版本（meta.schema_version），不是 jcnian 账本或已被改动。")
        ]
    if not str(row[0]).isdigit() or int(row[0]) > SCHEMA_VERSION:
        return [Problem("schema", f"结构版本“{row[0]}”不是本程序认识的版本（本程序为 {SCHEMA_VERSION}）。")]
    if int(row[0]) < SCHEMA_VERSION:
        return [
            Problem("schema", f"结构版本为 {row[0]}，低于本程序的 {SCHEMA_VERSION}：任一写入命令会先升级。")
        ]
    return _revision(conn, int(row[0]))


def _revision(conn: Any, version: int) -> list[Problem]:
    """Alembic's revision agrees with meta.schema_version (none yet: a ledger from before Alembic)."""
    from sqlalchemy import inspect

    from jcnian.migrations import revision

    if not inspect(conn).has_table("alembic_version"):
        return []
    found = sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
    if found != [revision(version)]:
        return [
            Problem(
                "schema",
                f"Alembic 修订“{'、'.join(found) or '无'}”与结构版本 {version}（修订 {revision(version)}）不符。",
            )
        ]
    return []


def log_chain(conn: Any) -> list[Problem]:
    from jcnian.changelog import verify_chain

    return [Problem("log_chain", m) for m in verify_chain(conn)]


def grade_histories(conn: Any) -> list[Problem]:
    """Each branch's events numbered 1, 2, … and in an order the steps allow."""
    from jcnian.grading import GRADE_OPTIONS

    known = {"proposed", "deliberated", "final", "published", "changed", "regraded"}
    needs_final = {"published", "changed", "regraded"}
    out = []
    events: dict[int, list[Any]] = {}
    for row in _rows(
        conn,
        "SELECT e.branch_id, b.name, e.seq, e.step, e.grade, e.override_id FROM grade_event AS e "
        "LEFT JOIN branch AS b ON b.id = e.branch_id ORDER BY e.branch_id, e.seq, e.id",
    ):
        events.setdefault(row[0], []).append(row)
    for rows in events.values():
        name = rows[0][1] or f"党组织 {rows[0][0]}"
        seen: set[str] = set()
        for place, (_, _, seq, step, grade, override_id) in enumerate(rows, start=1):
            if seq != place:
                out.append(
                    Problem("grade_history", f"{name}：定级历史第 {place} 步的序号为 {seq}（应为 {place}）。")
                )
            if step not in known:
                out.append(Problem("grade_history", f"{name}：定级历史第 {place} 步“{step}”不是已知的步骤。"))
            elif grade is not None and grade not in GRADE_OPTIONS:
                out.append(Problem("grade_history", f"{name}：定级历史第 {place} 步的等级“{grade}”无效。"))
            elif step in needs_final and not seen & {"final", "changed", "regraded"} and override_id is None:
                out.append(Problem("grade_history", f"{name}：定级历史第 {place} 步“{step}”之前没有终定。"))
            seen.add(step)
    return out


def score_bounds(conn: Any) -> list[Problem]:
    """Every score between 0 and its indicator's full marks in the rubric in force."""
    from jcnian.grading import parse_rubric

    out = []
    for campaign_id, content in _rows(
        conn,
        "SELECT r.campaign_id, r.content FROM rubric AS r WHERE r.id = "
        "(SELECT MAX(id) FROM rubric AS s WHERE s.campaign_id = r.campaign_id)",
    ):
        try:
            rubric = parse_rubric(content, "账本中的评分办法")
        except Exception as exc:  # a rubric the program cannot read is itself a problem
            out.append(Problem("rubric", f"账本中的评分办法无法读取：{getattr(exc, 'message', exc)}"))
            continue
        for indicator, full in rubric.indicators.items():
            for score_id, branch, source, respondent, points in _rows(
                conn,
                "SELECT s.id, b.name, s.source, s.respondent, s.points FROM score AS s "
                "JOIN branch AS b ON b.id = s.branch_id WHERE b.campaign_id = :c AND s.indicator = :i "
                "AND (s.points < 0 OR s.points > :full) ORDER BY s.id",
                c=campaign_id,
                i=indicator,
                full=float(full),
            ):
                who = f"（测评人 {respondent}）" if respondent else ""
                out.append(
                    Problem(
                        "score_bounds",
                        f"{branch} {source}·{indicator}{who}得分 {points:g} 超出 0–{float(full):g}（得分记录 {score_id}）。",
                    )
                )
    return out


CHECKS: list[tuple[str, Check]] = [
    ("integrity", integrity),
    ("foreign_key", foreign_keys),
    ("schema", schema_version),
    ("log_chain", log_chain),
    ("grade_history", grade_histories),
    ("score_bounds", score_bounds),
]


def run_checks(conn: Any) -> list[Problem]:
    """Every check's problems, in order; a check that cannot run is a problem too."""
    problems: list[Problem] = []
    for name, check in CHECKS:
        try:
            problems.extend(check(conn))
        except Exception as exc:
            problems.append(Problem(name, f"无法完成此项检查：{type(exc).__name__}: {exc}"))
            if name == "integrity":
                break  # a damaged file: the rest would only repeat it
    return problems
