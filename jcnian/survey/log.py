"""The import log: one SurveyImport row per file written, which ``survey log`` lists.

Score, deduction and ballot rows point back to their import, so a conflict can say which file
a value came from, and the content hash names an earlier import of the same bytes.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Session

from jcnian.gradebook.tables import SurveyImport
from jcnian.ledger import current_campaign
from jcnian.survey.records import SurveyFile

_imports = SurveyImport.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LogEntry:
    """One line of ``survey log``."""

    id: int
    file: str
    sha256: str
    layout: str
    source: str | None
    rows: int
    replaced: str | None
    imported_at: datetime


def record_import(
    session: Session,
    campaign_id: int,
    survey: SurveyFile,
    sources: Iterable[str],
    rows: int,
    replaced: dict[str, Any] | None,
) -> int:
    """Log a file about to be written; its id goes on every row the file writes."""
    entry = SurveyImport(
        campaign_id=campaign_id,
        file_name=survey.name,
        sha256=survey.sha256,
        layout=survey.layout,
        source="、".join(sorted(set(sources))) or None,
        rows=rows,
        replaced=json.dumps(replaced, ensure_ascii=False) if replaced else None,
    )
    session.add(entry)
    session.flush()
    return entry.id  # type: ignore[return-value]


def start_import(session: Session, campaign_id: int, survey: SurveyFile) -> SurveyImport:
    """Log a file whose rows are written as it is read (jcnian.survey.direct): its id first,
    its sources and row count by ``finish_import``."""
    entry = SurveyImport(
        campaign_id=campaign_id,
        file_name=survey.name,
        sha256=survey.sha256,
        layout=survey.layout,
        source=None,
        rows=0,
        replaced=None,
    )
    session.add(entry)
    session.flush()
    return entry


def finish_import(session: Session, entry: SurveyImport, sources: Iterable[str], rows: int) -> None:
    entry.source = "、".join(sorted(set(sources))) or None
    entry.rows = rows
    session.flush()


def earlier_import(conn: Connection, campaign_id: int, sha256: str) -> str | None:
    """The first import of the same bytes, as "file (time 导入)", for "nothing changed" messages."""
    row = conn.execute(
        select(SurveyImport.file_name, SurveyImport.imported_at)  # type: ignore[call-overload]
        .where(SurveyImport.campaign_id == campaign_id, SurveyImport.sha256 == sha256)
        .order_by(SurveyImport.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return f"{row[0]}（{_local(row[1])} 导入）"


def import_file_names(conn: Connection, ids: Iterable[int | None]) -> dict[int, str]:
    """File names of the given imports (None, a row entered by hand, has none)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(
        conn.execute(select(_imports.c.id, _imports.c.file_name).where(_imports.c.id.in_(wanted))).all()
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local(moment: datetime | str | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return _aware(moment).astimezone().strftime("%Y-%m-%d %H:%M")


def import_log(session: Session) -> list[LogEntry]:
    """Every import of the ledger's campaign, oldest first."""
    campaign = current_campaign(session)
    rows = session.connection().execute(
        select(_imports).where(_imports.c.campaign_id == campaign.id).order_by(_imports.c.id)
    )
    return [
        LogEntry(
            id=r.id,
            file=r.file_name,
            sha256=r.sha256,
            layout=r.layout,
            source=r.source,
            rows=r.rows,
            replaced=describe_replaced(r.replaced),
            imported_at=_aware(r.imported_at),
        )
        for r in rows
    ]


def describe_replaced(stored: str | dict[str, Any] | None) -> str | None:
    """The summary a --replace stored (JSON in the log), as one Chinese phrase."""
    if not stored:
        return None
    if isinstance(stored, str):
        try:
            data = json.loads(stored)
        except ValueError:
            return stored
    else:
        data = stored
    parts = []
    if data.get("score"):
        parts.append(f"得分 {data['score']} 条")
    if data.get("deduction"):
        parts.append(f"扣分 {data['deduction']} 条")
    if data.get("ballot"):
        parts.append(f"选票 {data['ballot']} 条")
    scope = f"{data.get('branches', 0)} 个党组织"
    if data.get("sources"):
        scope += "的" + "、".join(data["sources"])
    return f"{scope}原有的{'、'.join(parts) or '记录'}"
