"""How the phase modules record what a clerk enters: idempotently, saying what changed.

Entering the same thing twice changes nothing, and entering a different value for the same
slot replaces it and reports the previous one, so nothing a clerk entered disappears without
a word. A value not given (``None``) keeps what the ledger holds: re-entering a record to
change one field never erases the others. Every date a clerk records must fall in the
campaign's year, so that a typo cannot poison the reports. A step taken out of the seed's
order is refused with the reason, unless the committee's reason for taking it is given;
that reason is kept in the ledger.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, SQLModel, select

from jcnian import rows
from jcnian.campaign.tables import GateOverride
from jcnian.errors import GateError, InvalidInput
from jcnian.ledger import current_campaign
from jcnian.models import Branch


@dataclass(frozen=True)
class Saved:
    """What a recording command did: created, updated (with the old value) or unchanged."""

    branch: str
    what: str
    status: str  # created | updated | unchanged
    previous: str | None = None
    override: str | None = None
    warnings: list[str] = field(default_factory=list)


def in_campaign_year(session: Session, day: date | None, option: str) -> date | None:
    """The recorded date, refused when it lies outside the campaign's year.

    Only dates written into the ledger are checked: a query may look at any day.
    """
    if day is None:
        return None
    year = current_campaign(session).year
    if day.year != year:
        default = "（不写 --on 时为今天）" if option == "--on" else ""
        raise InvalidInput(f"{option} 的日期 {day} 不在活动年度（{year} 年）内，请核对年份{default}。")
    return day


def required_text(value: str | None, field_name: str) -> str:
    """The text stripped; blank is refused, naming the field."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"{field_name}不能为空。")
    return cleaned


def optional_text(value: str | None) -> str | None:
    """The text stripped; blank is no text at all."""
    return (value or "").strip() or None


def upsert(
    session: Session,
    model: type[SQLModel],
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    branch: str,
    what: str,
    previous: Callable[[Any], str | None],
    gate: Callable[[], GateOverride | None] | None = None,
    defaults: Mapping[str, Any] | None = None,
    warnings: list[str] | None = None,
) -> Saved:
    """Record the row of ``model`` at ``key`` with ``values``: create, replace or leave it.

    A value of ``None`` means "not given": an existing row keeps what it holds there, so
    re-entering a record to change one field never erases the others. ``defaults`` fill a
    new row only (a ``None`` value falls back to them). ``previous`` words the old value of
    a replaced row. ``gate`` runs only when something would change (re-entering what is
    there is never refused) and returns the override it recorded. ``warnings`` are passed on.
    """
    given = {k: v for k, v in values.items() if v is not None}
    notes = list(warnings or [])
    row = rows.find(session, model, key)
    if row is not None and all(getattr(row, k) == v for k, v in given.items()):
        return Saved(branch, what, "unchanged", warnings=notes)
    passed = gate() if gate else None
    used = passed.reason if passed else None
    was = previous(row) if row is not None else None
    if row is None:
        if rows.insert(session, model, key, {**(defaults or {}), **given}) is not None:
            return Saved(branch, what, "created", None, used, notes)
        row = rows.find(session, model, key)  # another program entered it meanwhile
        if all(getattr(row, k) == v for k, v in given.items()):
            return Saved(branch, what, "unchanged", override=used, warnings=notes)
        was = previous(row)
    rows.write(session, model, row, key, given)
    return Saved(branch, what, "updated", was, used, notes)


def pass_gate(
    session: Session,
    branch: Branch | None,
    gate: str,
    action: str,
    reasons: list[str],
    override: str | None,
    on: date,
) -> GateOverride | None:
    """Refuse a step taken out of order, or record the committee's reason for taking it.

    Returns the record of the override (None when no gate stood in the way: an
    ``--override`` given where nothing needed it is not recorded).
    """
    if not reasons:
        return None
    who = f"{branch.name}：" if branch else ""
    if not (override or "").strip():
        raise GateError(
            f"{who}现在不能{action}：{'；'.join(reasons)}。如委员会决定先行，请加 --override 理由。"
        )
    return record_override(session, branch, gate, reasons, override, on)  # type: ignore[arg-type]


def record_override(
    session: Session, branch: Branch | None, gate: str, refused: list[str], reason: str, on: date
) -> GateOverride:
    """The one record of an override: which gate, what it refused, the committee's reason."""
    row = GateOverride(
        campaign_id=current_campaign(session).id,  # type: ignore[arg-type]
        branch_id=branch.id if branch else None,
        gate=gate,
        refused="；".join(refused),
        reason=reason.strip(),
        on=on,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class OverrideRecord:
    on: date
    branch: str | None
    gate: str
    refused: str
    reason: str


def override_log(session: Session, on: date) -> list[OverrideRecord]:
    """Every override of the campaign up to ``on``, oldest first: what every report shows."""
    campaign = current_campaign(session)
    rows = session.exec(
        select(GateOverride, Branch.name)
        .join(Branch, GateOverride.branch_id == Branch.id, isouter=True)  # type: ignore[arg-type]
        .where(GateOverride.campaign_id == campaign.id, GateOverride.on <= on)
        .order_by(GateOverride.on, GateOverride.id)  # type: ignore[arg-type]
    ).all()
    return [OverrideRecord(o.on, name, o.gate, o.refused, o.reason) for o, name in rows]
