"""The names a survey file uses, resolved against the ledger's branches and the rubric in force.

Loaded once per command; each distinct spelling is resolved once and cached, since a file of
a million rows repeats a few thousand names. Branch names follow ``jcnian.names``: exact,
whitespace and full-width normalised, a registered alias, or a unique part of the name; an
unknown or ambiguous one gets the closest candidates, but only for the first few distinct
failures, as difflib is slow and a wholly wrong file would repeat it for every row.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from jcnian.errors import Ambiguous, NotFound
from jcnian.grading import Rubric
from jcnian.ledger import current_campaign
from jcnian.models import Branch, BranchAlias
from jcnian.names import closest, normalise, pick, resolve

SUGGESTION_LIMIT = 20  # distinct unknown names that get "closest candidates" (difflib is slow)


class Lookup:
    """Branch ids, sources and indicators by the spelling a file uses, and why a name is refused."""

    def __init__(self, session: Session, rubric: Rubric) -> None:
        self.campaign = current_campaign(session)
        conn = session.connection()
        rows = conn.execute(
            select(Branch.id, Branch.name)  # type: ignore[arg-type]
            .where(Branch.campaign_id == self.campaign.id)
            .order_by(Branch.seq)  # candidates in a message follow the seed's order
        ).all()
        self.by_name: dict[str, int] = {name: bid for bid, name in rows}
        self.names: dict[int, str] = {bid: name for bid, name in rows}
        self.aliases: dict[str, int] = dict(
            conn.execute(
                select(BranchAlias.alias, BranchAlias.branch_id).where(  # type: ignore[arg-type]
                    BranchAlias.campaign_id == self.campaign.id
                )
            ).all()
        )
        self.rubric = rubric
        self.branch_cache: dict[str, int | str] = {}
        self.source_cache: dict[str, str | None] = {}
        self.indicator_cache: dict[str, str | None] = {}
        self._failures = 0
        self._helps: dict[tuple[str, str], str] = {}

    def branch(self, raw: str) -> int | str:
        """The branch id, or the Chinese reason it cannot be found (with closest candidates)."""
        hit = self.branch_cache.get(raw)
        if hit is not None:
            return hit
        q = normalise(raw)
        found: int | str | None = self.by_name.get(q)
        if found is None:
            found = self.aliases.get(q)
        if found is None:
            partial = [name for name in self.by_name if q and q in name]
            if len(partial) == 1:
                found = self.by_name[partial[0]]
            elif self._failures < SUGGESTION_LIMIT or partial:
                self._failures += 1
                try:
                    found = resolve(raw, self.by_name, "党组织", self.aliases)
                except (NotFound, Ambiguous) as exc:
                    found = exc.message.rstrip("。")
            else:
                found = f"找不到党组织“{raw}”"
        if len(self.branch_cache) > 200_000:
            self.branch_cache.clear()
        self.branch_cache[raw] = found
        return found

    def source(self, raw: str) -> str | None:
        """The rubric's source by the rule hand entry uses (jcnian.names.pick); None if refused."""
        if raw not in self.source_cache:
            self.source_cache[raw] = _picked(raw, self.rubric.sources, "评价主体")
        return self.source_cache[raw]

    def indicator(self, raw: str) -> str | None:
        if raw not in self.indicator_cache:
            self.indicator_cache[raw] = _picked(raw, self.rubric.indicators, "指标")
        return self.indicator_cache[raw]

    def source_help(self, raw: str) -> str:
        return self._help("评价主体", raw, list(self.rubric.sources))

    def indicator_help(self, raw: str) -> str:
        return self._help("指标", raw, list(self.rubric.indicators))

    def _help(self, kind: str, raw: str, names: list[str]) -> str:
        """Why a name is refused, with the likeliest intended one; cached, as a bad file repeats it."""
        key = (kind, raw)
        if key not in self._helps:
            try:
                pick(raw, names, kind)
            except Ambiguous as exc:
                self._helps[key] = exc.message.rstrip("。")
                return self._helps[key]
            except NotFound:
                pass
            hint = closest(raw, names, limit=1)
            near = f"（是不是“{hint[0]}”？）" if hint else ""
            self._helps[key] = f"{kind}“{raw}”不在评分办法中{near}，应为 {'/'.join(names)} 之一"
        return self._helps[key]


def _picked(raw: str, names: Iterable[str], kind: str) -> str | None:
    try:
        return pick(raw, names, kind)
    except (NotFound, Ambiguous):
        return None
