"""Reading the change log (留痕): the entries a filter picks, newest first, and one entry whole.

A ledger of many campaigns keeps one log (one hash chain); each entry names the campaign it
was for, and a command of one campaign reads that campaign's entries and the ledger-wide
ones only, as every other command reads only its campaign's rows.

jcnian.changelog writes the log; this module only reads it, with plain SQL over the
``change_log`` table, so ``jcnian log`` loads none of the capture code.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from jcnian.errors import CampaignNotChosen, NotFound
from jcnian.ledger import current_campaign, find_branch

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # how the log stores its UTC times
_WORDS = {"insert": "新增", "update": "修改", "delete": "删除"}


@dataclass(frozen=True)
class LogEntry:
    """One entry as ``jcnian log`` lists it (the JSON contract's keys, in order)."""

    id: int
    at: str  # local time
    at_utc: str
    by: str
    command: str
    tables: list[str]
    summary: str


def local_time(at: str) -> str:
    """A stored UTC time in this machine's time zone, as the clerk reads it."""
    moment = datetime.strptime(at, _STAMP).replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _day_bound(day: date, *, end: bool) -> str:
    """A local day as the UTC instant the log compares with (its start, or the next day's)."""
    local = datetime(day.year, day.month, day.day).astimezone()
    if end:
        local += timedelta(days=1)
    return local.astimezone(UTC).strftime(_STAMP)


def _summary(changes: list[dict[str, Any]]) -> str:
    counts: dict[tuple[str, str], int] = {}
    for c in changes:
        key = (c["table"], c["op"])
        counts[key] = counts.get(key, 0) + int(c.get("rows", 1))
    return "；".join(f"{t} {_WORDS.get(op, op)} {n}" for (t, op), n in counts.items())


def _scope(session: Session, whole_ledger: bool) -> tuple[str, dict[str, Any]]:
    """The chosen campaign's entries and the ledger-wide ones (NULL: a write across
    campaigns); ``whole_ledger``: every entry (the city's audit)."""
    if whole_ledger:
        return "1 = 1", {}
    try:
        campaign = current_campaign(session)
    except CampaignNotChosen as exc:
        raise CampaignNotChosen(f"{exc.message}整个账本的留痕可加 --whole-ledger 查看。") from None
    return "(campaign_id = :campaign OR campaign_id IS NULL)", {"campaign": campaign.id}


def entries(
    session: Session,
    *,
    whole_ledger: bool = False,
    branch: str | None = None,
    table: str | None = None,
    by: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[LogEntry]:
    """The chosen campaign's entries (or the whole ledger's) that touched ``branch``/``table``,
    were made by ``by`` and fall between the local days ``since`` and ``until`` (both
    included), newest first."""
    scope, params = _scope(session, whole_ledger)
    where = [scope]
    if table:
        where.append("tables LIKE :table")
        params["table"] = f"%,{table.strip()},%"
    if by:
        where.append('"by" = :by')
        params["by"] = by.strip()
    if since:
        where.append("at >= :since")
        params["since"] = _day_bound(since, end=False)
    if until:
        where.append("at < :until")
        params["until"] = _day_bound(until, end=True)
    if branch:
        where.append("branches LIKE :branch")
        params["branch"] = f"%,{find_branch(session, branch).id},%"
    rows = session.execute(
        text(
            f'SELECT id, at, "by", command, tables, changes FROM change_log WHERE {" AND ".join(where)} '
            "ORDER BY id DESC"
        ),
        params,
    ).all()
    return [
        LogEntry(
            id_, local_time(at), at, who, command, tables.strip(",").split(","), _summary(json.loads(changes))
        )
        for id_, at, who, command, tables, changes in rows
    ]


def entry(session: Session, entry_id: int, *, whole_ledger: bool = False) -> dict[str, Any]:
    """One entry of the chosen campaign (or of the whole ledger) with its changes (table, op,
    key, before, after — or a bulk statement's rows) and its hashes; ``at_local`` beside the
    stored UTC ``at``."""
    scope, params = _scope(session, whole_ledger)
    row = (
        session.execute(
            text(
                'SELECT id, at, "by", command, changes, prev_hash, hash FROM change_log '
                f"WHERE id = :id AND {scope}"
            ),
            {**params, "id": entry_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        other = session.execute(text("SELECT 1 FROM change_log WHERE id = :id"), {"id": entry_id}).first()
        if other is not None:
            raise NotFound(
                f"第 {entry_id} 条留痕属于账本中的另一个活动，不在本活动中；"
                "请用 --campaign 镇名/年份 指定那个活动，或加 --whole-ledger 查看整个账本。"
            )
        raise NotFound(f"没有编号为 {entry_id} 的留痕记录。")
    return {**dict(row), "at_local": local_time(row["at"]), "changes": json.loads(row["changes"])}
