"""The campaign's phase windows and dated rules as the ledger holds them.

A phase without its own row has the seed's dates for the campaign's year; ``campaign
set-window`` and ``set-rule`` give another year's dates. The rules about windows are in
``jcnian.phases``.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from jcnian import phases
from jcnian.campaign.tables import DatedRule
from jcnian.ledger import campaign_label, current_campaign
from jcnian.models import Campaign, PhaseWindow
from jcnian.phases import Window
from jcnian.rows import put


@dataclass(frozen=True)
class WindowView:
    phase: str
    label: str
    start: date
    end: date
    state: str


@dataclass(frozen=True)
class RuleView:
    rule: str
    label: str
    due: date
    category: str
    state: str
    source: str = "原文"  # 原文 (the seed's date), 默认 (a default, the seed sets none) or 已改定


@dataclass(frozen=True)
class CampaignView:
    campaign: str
    as_of: date
    windows: list[WindowView]
    rules: list[RuleView]


def windows(session: Session, campaign: Campaign | None = None) -> dict[str, Window]:
    """The campaign's windows in the seed's order; a phase without a row has the seed's dates."""
    campaign = campaign or current_campaign(session)
    found = {
        w.phase: Window(w.phase, w.start, w.end)
        for w in session.exec(select(PhaseWindow).where(PhaseWindow.campaign_id == campaign.id))
    }
    defaults = phases.default_windows(campaign.year)
    return {code: found.get(code, defaults[code]) for code in phases.PHASE_CODES}


def dated_rules(session: Session, campaign: Campaign | None = None) -> dict[str, date]:
    campaign = campaign or current_campaign(session)
    found = {
        r.code: r.due for r in session.exec(select(DatedRule).where(DatedRule.campaign_id == campaign.id))
    }
    return phases.default_rules(campaign.year) | found


def rule_source(session: Session, campaign: Campaign) -> dict[str, str]:
    """Where each dated rule's date comes from: 原文, 默认 or 已改定 (``campaign set-rule``)."""
    found = set(session.exec(select(DatedRule.code).where(DatedRule.campaign_id == campaign.id)))
    return {
        code: "已改定" if code in found else "默认" if code in phases.DEFAULT_RULES else "原文"
        for code in phases.RULE_LABELS
    }


def show_campaign(session: Session, on: date) -> CampaignView:
    campaign = current_campaign(session)
    source = rule_source(session, campaign)
    return CampaignView(
        campaign=campaign_label(campaign),
        as_of=on,
        windows=[
            WindowView(w.phase, w.label, w.start, w.end, w.state(on))
            for w in windows(session, campaign).values()
        ],
        rules=[
            RuleView(
                code,
                phases.RULE_LABELS[code],
                due,
                phases.RULE_CATEGORY[code],
                "已到期" if on > due else "未到期",
                source.get(code, "原文"),
            )
            for code, due in dated_rules(session, campaign).items()
        ],
    )


def set_window(session: Session, phase: str, start: date, end: date) -> tuple[WindowView, WindowView]:
    """Give a phase another year's dates; returns (before, after)."""
    code = phases.parse_phase(phase)
    phases.check_window(code, start, end)
    campaign = current_campaign(session)
    before = windows(session, campaign)[code]
    put(session, PhaseWindow, {"campaign_id": campaign.id, "phase": code}, {"start": start, "end": end})
    session.flush()
    today = date.today()
    return (
        WindowView(code, before.label, before.start, before.end, before.state(today)),
        WindowView(code, before.label, start, end, phases.window_state(start, end, today)),
    )


def set_rule(session: Session, rule: str, due: date) -> tuple[date, date]:
    code = phases.parse_rule(rule)
    campaign = current_campaign(session)
    before = dated_rules(session, campaign)[code]
    put(session, DatedRule, {"campaign_id": campaign.id, "code": code}, {"due": due})
    session.flush()
    return before, due
