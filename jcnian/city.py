"""The city's roll-up: every town's campaign of a year, per town and category, with totals.

The city's organisation department keeps every town's ledger in one place and wants one
picture: the grade distribution, the quota verdict, phase progress, what is overdue and how
long the backward list is. Each figure is the one the town's own clerk sees — it comes from
the same reads (``grade_states``/``quota_of``, ``backward_report``, the dashboard's checklist
pass) run on each campaign in turn through ``ledger.using_campaign`` — so the roll-up can
never disagree with ``grade quota`` or ``status`` of a town. Each campaign is read once, with
a handful of set-based queries; the cross-tabulation and the totals are pandas'
(``pivot_table`` over one row per branch, ``groupby`` sums for towns and city), imported
only here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from jcnian.errors import NotFound
from jcnian.grading import GRADE_OPTIONS, QuotaCheck
from jcnian.ledger import using_campaign
from jcnian.models import Campaign
from jcnian.phases import PHASE_CODES, PHASE_LABELS

ALL = "全部"  # a town's row over all its categories
CITY = "全市"  # the city's rows, per category and over all
GRADE_KEYS = dict(zip(GRADE_OPTIONS, ("good", "fairly_good", "average", "poor"), strict=True))
UNGRADED = "ungraded"
PHASE_FIELDS = tuple(f"{code}_{part}" for code in PHASE_CODES for part in ("done", "total", "overdue"))
COUNTS = (
    "branches",
    *GRADE_KEYS.values(),
    UNGRADED,
    "quota_towns",
    "quota_towns_ok",
    *PHASE_FIELDS,
    "overdue",
    "late_done",
)
KEYS = ("town", "category", *COUNTS[:6], "quota_ok", *COUNTS[6:], "backward")


@dataclass(frozen=True)
class CitySummary:
    """``rows``: one per town and category (only the categories it has), the town's 全部, then
    全市 per category and over all; keys as ``KEYS``. ``quota``: each town's quota bands as
    ``grade quota`` lists them (scope 全部, then each category with branches)."""

    year: int
    as_of: date
    campaigns: list[str]
    rows: list[dict[str, Any]]
    quota: list[dict[str, Any]]


def campaigns_of(session: Session, year: int | None) -> tuple[int, list[Campaign]]:
    """The year's campaigns by town; the ledger's latest year when none is given."""
    every = list(session.exec(select(Campaign).order_by(Campaign.town, Campaign.year)).all())
    if not every:
        raise NotFound("账本里还没有活动，请先运行 jcnian init。")
    years = sorted({c.year for c in every})
    chosen = years[-1] if year is None else year
    found = [c for c in every if c.year == chosen]
    if not found:
        raise NotFound(f"账本里没有 {chosen} 年度的活动；有：{'、'.join(str(y) for y in years)}。")
    return chosen, found


def _verdict(check: QuotaCheck) -> bool | None:
    """A scope's quota verdict, None while nothing in it is graded (nothing to check)."""
    return check.ok if check.graded else None


def _quota_rows(town: str, report: Any, present: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    for scope, check in [(ALL, report.overall), *((c, report.categories[c]) for c in present)]:
        for b in check.bands:
            rows.append({"town": town, "scope": scope, "graded": check.graded, **b.as_dict()})
    return rows


def _read_town(session: Session, campaign: Campaign, on: date, as_of: date | None) -> tuple[Any, ...]:
    """One campaign through the town's own reads: its branches' grades, and per category the
    quota verdict, the dashboard's phase counts and overdue rows; the backward list."""
    from jcnian.campaign import dashboard
    from jcnian.campaign.facts import gather
    from jcnian.gradebook.reads import backward_report, categories, current_rubric, grade_states, quota_of

    with using_campaign(session, campaign):
        states = grade_states(session, as_of=as_of)
        report = quota_of(states.values(), current_rubric(session), categories(session))
        backward = backward_report(session, all_states=states.values(), as_of=as_of)
        facts = gather(session, states, as_of=on)
        days = dashboard.by_category(session, on, facts=facts)
    grades = [(s.category, s.counted.value if s.counted else UNGRADED) for s in states.values()]
    return grades, report, backward, days


def city_summary(session: Session, year: int | None = None, as_of: date | None = None) -> CitySummary:
    """The roll-up of ``year``'s campaigns (the latest year by default) as of a day.

    ``as_of``: grades as ``grade quota --as-of`` reads them (None: the ledger as it is now),
    progress and overdue as ``status``/``overdue --as-of`` (None: today).
    """
    import pandas as pd

    from jcnian.gradebook.reads import categories

    chosen, campaigns = campaigns_of(session, year)
    vocabulary = categories(session)
    on = as_of or date.today()
    branches: list[tuple[str, str, str]] = []
    per: list[dict[str, Any]] = []
    quota: list[dict[str, Any]] = []
    town_rows: dict[str, dict[str, Any]] = {}
    for campaign in campaigns:
        town = campaign.town
        grades, report, backward, days = _read_town(session, campaign, on, as_of)
        branches += [(town, c, g) for c, g in grades]
        have = {c for c, _ in grades}
        present = [c for c in report.categories if c in have]
        quota += _quota_rows(town, report, present)
        for category in present:
            verdict = _verdict(report.categories[category])
            day = days.get(category)
            row: dict[str, Any] = {
                "town": town,
                "category": category,
                "quota_towns": int(verdict is not None),
                "quota_towns_ok": int(bool(verdict)),
                "overdue": 0,
                "late_done": 0,
                "backward": len(backward.entries) if category == backward.category else float("nan"),
            }
            for p in day.phases if day else ():
                if p.phase in PHASE_LABELS:
                    row |= {
                        f"{p.phase}_done": p.done,
                        f"{p.phase}_total": p.total,
                        f"{p.phase}_overdue": p.overdue,
                    }
            for r in day.overdue if day else ():
                row["late_done" if r.kind == "逾期完成" else "overdue"] += 1
            per.append(row)
        # The town's own verdict is ``grade quota``'s: overall and every category, once graded.
        ok = report.ok if report.overall.graded else None
        town_rows[town] = {"quota_ok": ok, "backward": len(backward.entries)}

    table = pd.DataFrame(branches, columns=["town", "category", "grade"])
    distribution = table.pivot_table(
        index=["town", "category"], columns="grade", aggfunc="size", fill_value=0
    )
    distribution = distribution.reindex(columns=[*GRADE_OPTIONS, UNGRADED], fill_value=0)
    distribution.columns = [*GRADE_KEYS.values(), UNGRADED]
    distribution["branches"] = distribution.sum(axis=1)
    frame = pd.DataFrame(per).set_index(["town", "category"]).join(distribution, how="left")
    frame[list(COUNTS)] = frame.reindex(columns=list(COUNTS)).fillna(0).astype(int)
    rows = _with_totals(frame, [c.town for c in campaigns], vocabulary, town_rows)
    return CitySummary(chosen, on, [f"{c.town}/{c.year}" for c in campaigns], rows, quota)


def _with_totals(
    frame: Any, towns: Sequence[str], vocabulary: Sequence[str], town_rows: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each town's categories then its 全部, then 全市 per category and 全部; counts summed by
    pandas (``groupby``), the town's verdict and backward list taken as the town has them."""
    import pandas as pd

    counts = list(COUNTS)
    town_all = frame[counts].groupby(level="town").sum()
    town_all["quota_towns"] = [int(town_rows[t]["quota_ok"] is not None) for t in town_all.index]
    town_all["quota_towns_ok"] = [int(bool(town_rows[t]["quota_ok"])) for t in town_all.index]
    town_all["backward"] = [town_rows[t]["backward"] for t in town_all.index]
    town_all["category"] = ALL
    town_all = town_all.reset_index().set_index(["town", "category"])
    by_town = pd.concat([frame, town_all])
    city = by_town.groupby(level="category", sort=False)[[*counts, "backward"]].sum(min_count=1)
    city["town"] = CITY
    city = city.reset_index().set_index(["town", "category"])
    order = {t: i for i, t in enumerate([*towns, CITY])}
    rank = {c: i for i, c in enumerate([*vocabulary, ALL])}
    whole = pd.concat([by_town, city])
    whole = whole.sort_index(key=lambda ix: ix.map(order if ix.name == "town" else rank))
    out = []
    for (town, category), values in zip(whole.index, whole.to_dict("records"), strict=True):
        row: dict[str, Any] = {"town": town, "category": category}
        for key in KEYS[2:]:
            value = values.get(key)
            row[key] = None if value is None or pd.isna(value) else int(value)
        if town != CITY and category == ALL:
            row["quota_ok"] = town_rows[town]["quota_ok"]
        else:  # a town's category, or the city's: every town checked there meets the quota
            checked, ok = row["quota_towns"], row["quota_towns_ok"]
            row["quota_ok"] = None if not checked else ok == checked
        out.append(row)
    return out
