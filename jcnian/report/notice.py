"""The month's 通报 (四、(二)): the branches the records show 领导重视不够、措施不力、工作滞后,
each with its facts, and the month's good practices (the 闪光言行 selected in the 展示评选),
as text for the terminal and as a .docx in the layout of an official notice (title, addressee,
body, issuing office, date), ready to edit and print.

``draft`` reads the ledger as of the month's last day (the same ledger and month give the
same notice); ``write_docx`` lays it out with python-docx, its document properties dated that
day, so the file does not depend on when it was written.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from jcnian import phases

ISSUER = "中共{town}委员会基层组织建设年活动领导小组办公室"
ADDRESSEE = "各村、企事业单位党支部（总支）："
DIGITS = "〇一二三四五六七八九"


def chinese_date(day: date) -> str:
    """2012-06-30 → 二〇一二年六月三十日, as an official document dates itself."""

    def number(n: int) -> str:
        if n < 10:
            return DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")

    return "".join(DIGITS[int(c)] for c in str(day.year)) + f"年{number(day.month)}月{number(day.day)}日"


@dataclass(frozen=True)
class LaggingBranch:
    branch: str
    reasons: list[str]
    secretary: str | None = None  # the branch's 负责人 (二、(三): 负责人、具体责任人)


@dataclass(frozen=True)
class GoodPractice:
    branch: str
    person: str
    deed: str
    selected_on: date


@dataclass(frozen=True)
class Notice:
    month: str
    as_of: date
    title: str
    issuer: str
    opening: str
    lagging: list[LaggingBranch]
    good: list[GoodPractice]
    closing: str
    paragraphs: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The notice as plain text: what the terminal shows and what the .docx holds."""
        return "\n".join(
            [self.title, "", ADDRESSEE, *self.paragraphs, "", self.issuer, chinese_date(self.as_of)]
        )


def draft(session: Session, month: str) -> Notice:
    """The 通报 of ``month`` (YYYY-MM), as the ledger stands on the month's last day."""
    from jcnian.campaign import activities, dashboard, secretaries
    from jcnian.ledger import current_campaign

    key = phases.parse_month(month)
    as_of = phases.month_end(key)
    campaign = current_campaign(session)
    reasons: dict[str, list[str]] = {}
    for row in dashboard.overdue(session, as_of):
        what = f"{row.phase}·{row.item}{'（' + row.detail + '）' if row.detail else ''}"
        done = "完成" if getattr(row, "kind", None) == "逾期完成" else "未完成"  # done late, or not yet
        reasons.setdefault(row.branch, []).append(f"{what} 逾期 {row.days} 天{done}（期限 {row.due}）")
    for lag in dashboard.lagging(session, as_of):
        reasons.setdefault(lag.branch, []).append(
            f"工程项目“{lag.project}”推进不力（{lag.reason}；进度 {lag.percent}%，具体责任人 {lag.owner}）"
        )
    heads = secretaries.secretaries_on(session, as_of)
    lagging = [LaggingBranch(b, r, heads.get(b)) for b, r in reasons.items()]
    first = date.fromisoformat(f"{key}-01")
    good = [
        GoodPractice(d.branch, d.person, d.deed, d.selected_on)  # type: ignore[arg-type]
        for d in activities.list_deeds(session, as_of, selected_only=True)
        if d.selected_on and d.selected_on >= first
    ]
    year, mon = key.split("-")
    title = f"关于{int(year)}年{int(mon)}月份基层组织建设年活动开展情况的通报"
    opening = (
        f"根据《{campaign.town}关于开展“基层组织建设年”活动的实施意见》要求，镇党委基层组织建设年活动"
        f"领导小组督导检查组对截至{int(mon)}月{as_of.day}日各党支部（总支）活动开展情况进行了督查，现将有关情况通报如下："
    )
    paragraphs = [opening, "一、工作滞后的党组织"]
    if lagging:
        paragraphs.append(f"经督查，以下 {len(lagging)} 个党组织存在领导重视不够、措施不力、工作滞后的情况：")
        paragraphs += [
            f"{i}. {x.branch}{'（书记 ' + x.secretary + '）' if x.secretary else ''}：{'；'.join(x.reasons)}。"
            for i, x in enumerate(lagging, start=1)
        ]
    else:
        paragraphs.append("本月督查未发现工作滞后的党组织。")
    paragraphs.append("二、好做法、好典型")
    if good:
        paragraphs += [
            f"{g.branch}{g.person}：{g.deed}（{g.selected_on} 入选“创先争优闪光言行”展示评选）。"
            for g in good
        ]
    else:
        paragraphs.append("本月无入选“创先争优闪光言行”展示评选的事迹。")
    closing = (
        "请以上工作滞后的党组织高度重视，对照通报查找原因，采取有力措施，限期整改，并将整改情况书面报镇党委组织办。"
        "各党支部（总支）要学习借鉴好做法、好经验，确保基层组织建设年活动顺利开展。"
    )
    paragraphs += ["三、工作要求", closing]
    return Notice(
        key, as_of, title, ISSUER.format(town=campaign.town), opening, lagging, good, closing, paragraphs
    )


HEADINGS = ("一、", "二、", "三、")


def write_docx(notice: Notice, path: Path) -> None:
    """The notice as a .docx: centred title, addressee, body, issuer and date at the right."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(16)  # 三号
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")

    def paragraph(text: str, *, align=None, bold: bool = False, size: int | None = None, indent: bool = True):  # type: ignore[no-untyped-def]
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        elif indent:
            p.paragraph_format.first_line_indent = Pt(32)
        return p

    paragraph(notice.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=22)  # 二号
    paragraph("")
    paragraph(ADDRESSEE, indent=False)
    for text in notice.paragraphs:
        paragraph(text, bold=text.startswith(HEADINGS))
    paragraph("")
    paragraph(notice.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(chinese_date(notice.as_of), align=WD_ALIGN_PARAGRAPH.RIGHT)
    stamp = datetime(notice.as_of.year, notice.as_of.month, notice.as_of.day)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = notice.title, notice.issuer, notice.issuer
    props.created = props.modified = stamp
    props.revision = 1
    doc.save(str(path))
