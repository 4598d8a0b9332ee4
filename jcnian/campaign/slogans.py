"""附件2's slogans: the catalogue of 20 the seed ships, a slogan as a clerk gives it (a number or
own text), and which branch put up which (the fixed slogan each branch owes, 四、(三)).

The slogans themselves are recorded as publicity (jcnian.campaign.requirements).
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlmodel import Session, select

from jcnian.campaign.activities import campaign_branches
from jcnian.campaign.recording import required_text
from jcnian.campaign.tables import Publicity
from jcnian.data_files import slogans_text
from jcnian.errors import InvalidInput
from jcnian.ledger import current_campaign
from jcnian.models import Branch
from jcnian.names import normalise

# --- 附件2: the slogan catalogue ---------------------------------------------------------


@cache
def slogan_catalogue() -> tuple[str, ...]:
    """The 20 slogans of 附件2 (data/slogans.txt), in the seed's order and words."""
    return tuple(line.strip() for line in slogans_text().splitlines() if line.strip())


def slogan_text(given: str) -> str:
    """A slogan as a clerk gives it: a catalogue number (``3``, ``３``, ``第3条``) or own text."""
    cleaned = (given or "").strip()
    number = cleaned.removeprefix("第").removesuffix("条").strip()
    if number.isdigit():
        catalogue = slogan_catalogue()
        n = int(number)
        if not 1 <= n <= len(catalogue):
            raise InvalidInput(
                f"附件2 的标语编号为 1–{len(catalogue)}，没有第 {n} 条（jcnian publicity catalogue 列出全部）。"
            )
        return catalogue[n - 1]
    return required_text(cleaned, "标语")


def catalogue_number(text: str) -> int | None:
    """The catalogue number of a slogan's text, None for a branch's own."""
    folded = [normalise(t) for t in slogan_catalogue()]  # ，and , are the same slogan
    return folded.index(normalise(text)) + 1 if normalise(text) in folded else None


# --- which branch uses which slogan -----------------------------------------------------------


@dataclass(frozen=True)
class SloganUse:
    branch: str
    slogan: str | None
    number: int | None  # the catalogue number, None for a branch's own text
    on: date | None


def slogan_usage(session: Session, on: date) -> list[SloganUse]:
    """Every branch with the fixed slogans it put up by ``on`` (a branch with none: one empty row)."""
    campaign = current_campaign(session)
    used: dict[int, list[Publicity]] = {}
    for p in session.exec(
        select(Publicity)
        .join(Branch, Publicity.branch_id == Branch.id)
        .where(Branch.campaign_id == campaign.id, Publicity.kind == "slogan", Publicity.on <= on)
        .order_by(Publicity.on, Publicity.id)  # type: ignore[arg-type]
    ).all():
        used.setdefault(p.branch_id, []).append(p)
    out = []
    for b in campaign_branches(session):
        rows = used.get(b.id, [])  # type: ignore[arg-type]
        out += [SloganUse(b.name, p.text, catalogue_number(p.text), p.on) for p in rows] or [
            SloganUse(b.name, None, None, None)
        ]
    return out
