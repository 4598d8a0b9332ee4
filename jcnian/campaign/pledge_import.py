"""一句话承诺 from a list (CSV, as offices keep it): an edge that reads the file, checks every row
and hands the pledges to jcnian.campaign.activities.record_pledge — all or nothing.
"""

import csv
import io
from datetime import date
from pathlib import Path

from sqlmodel import Session

from jcnian.campaign.activities import record_pledge
from jcnian.campaign.recording import Saved, in_campaign_year, required_text
from jcnian.errors import Ambiguous, InvalidInput, NotFound
from jcnian.ledger import current_campaign, find_branch
from jcnian.textfile import read_text
from jcnian.typed import BadValue, parse_date

PLEDGE_HEADERS = {
    "党组织": "branch",
    "branch": "branch",
    "党员": "member",
    "姓名": "member",
    "member": "member",
    "承诺": "pledge",
    "一句话承诺": "pledge",
    "pledge": "pledge",
    "日期": "on",
    "on": "on",
}


def import_pledges(session: Session, path: Path, on: date) -> list[Saved]:
    """一句话承诺 from a CSV list (党组织, 党员, 承诺[, 日期]); an empty 党员 is the branch's own.

    Every row is checked first; any mistake refuses the whole file, naming file:row.
    """
    reader = csv.reader(io.StringIO(read_text(path)))
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput(f"{path.name} 是空文件。")
    header = [PLEDGE_HEADERS.get(c.strip().lower(), PLEDGE_HEADERS.get(c.strip())) for c in rows[0]]
    for need, label in (("branch", "党组织"), ("pledge", "承诺")):
        if need not in header:
            raise InvalidInput(f"{path.name}:1: 缺少“{label}”列（表头须有 党组织、党员、承诺，可加 日期）。")
    problems: list[str] = []
    entries = []
    for n, raw in enumerate(rows[1:], start=2):
        cells = {k: (raw[i].strip() if i < len(raw) else "") for i, k in enumerate(header) if k}
        try:
            branch = find_branch(session, cells["branch"]).name
            text = required_text(cells.get("pledge"), "承诺内容")
            day = on
            if cells.get("on"):
                try:
                    day = parse_date(cells["on"], year=lambda: current_campaign(session).year)
                except BadValue as exc:
                    raise InvalidInput(f"日期“{cells['on']}”{exc}。") from None
            in_campaign_year(session, day, "日期")
        except (InvalidInput, NotFound, Ambiguous) as exc:
            problems.append(f"{path.name}:{n}: {exc}")
            continue
        entries.append((branch, text, day, cells.get("member") or None))
    if problems:
        raise InvalidInput("未导入，请改正后再导入：\n" + "\n".join(problems))
    return [record_pledge(session, b, t, d, m) for b, t, d, m in entries]
