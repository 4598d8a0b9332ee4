"""Every text written to the ledger checked once, whichever command or file it came from.

A listener on the ORM's flush looks at each text column of each row added or changed and
refuses, naming the field, what ``jcnian.typed.text_problem`` refuses: control characters
anywhere, tabs and line breaks outside long texts, and a text longer than its kind allows
(a name 60 characters, a short text 200, a long text 10,000, a rubric file 200,000: the
xlsx export, whose cells hold 32,767, never has to cut one). Hand entry, the liaison table, the demo and the import
log all write through the ORM; the survey import's bulk rows carry only cells its reader has
checked the same way (``jcnian.survey.records``).

Columns the program fills itself (codes, hashes, JSON summaries) are not listed.
"""

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from jcnian.errors import InvalidInput
from jcnian.typed import DOCUMENT, LONG, NAME, SHORT, text_problem

# table -> column -> (the field as the clerk knows it, its kind)
FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "campaign": {"town": ("镇名", NAME)},
    "category": {"name": ("分类名称", NAME)},
    "branch": {"name": ("党组织名称", NAME), "form": ("组织形式", SHORT), "remarks": ("备注", LONG)},
    "branch_alias": {"alias": ("别名", NAME)},
    "person": {"name": ("姓名", NAME)},
    "rubric": {"content": ("评分办法", DOCUMENT)},
    "survey_import": {"file_name": ("文件名", SHORT)},
    "score": {"respondent": ("测评人", NAME), "source": ("评价主体", SHORT), "indicator": ("指标", SHORT)},
    "deduction": {
        "respondent": ("测评人", NAME),
        "item": ("扣分事项", SHORT),
        "source": ("评价主体", SHORT),
        "indicator": ("指标", SHORT),
    },
    "veto": {"condition": ("一票否决情形", SHORT), "note": ("说明", LONG)},
    "grade_event": {"reason": ("理由", LONG), "override": ("越过检查的理由", LONG), "by": ("决定者", NAME)},
    "gate_override": {"reason": ("越过检查的理由", LONG)},
    "mobilisation_meeting": {"note": ("备注", LONG)},
    "survey_method": {"note": ("备注", LONG)},
    "problem": {"text": ("问题内容", LONG), "note": ("备注", LONG)},
    "branch_plan": {"goal": ("争创目标", LONG), "measures": ("整改措施", LONG), "plan": ("实施方案", LONG)},
    "pledge": {"text": ("承诺内容", LONG), "medium": ("公开方式", SHORT)},
    "project": {"name": ("项目名称", SHORT), "quality": ("质量要求", LONG), "effect": ("预期效果", LONG)},
    "project_task": {"name": ("任务名称", SHORT)},
    "progress_update": {"note": ("备注", LONG)},
    "monthly_assessment": {"note": ("备注", LONG)},
    "supervision": {"note": ("备注", LONG)},
    "visit": {"by": ("走访人", NAME), "findings": ("走访情况", LONG)},
    "monthly_report": {"summary": ("汇报内容", LONG)},
    "branch_regulation": {"name": ("制度名称", SHORT)},
    "publicity": {"text": ("内容", LONG)},
    "enterprise_coverage": {"name": ("企业名称", NAME), "note": ("备注", LONG)},
    "acceptance_step": {"note": ("备注", LONG)},
    "acceptance_decision": {"reason": ("理由", LONG), "override": ("越过检查的理由", LONG)},
    "rectification": {"opinion": ("整改意见", LONG), "note": ("备注", LONG)},
}


def _check(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        fields = FIELDS.get(getattr(obj, "__tablename__", ""))
        if not fields:
            continue
        state = inspect(obj)
        for column, (label, kind) in fields.items():
            if state.pending or state.transient:
                value = state.dict.get(column)
            else:
                added = state.attrs[column].history.added
                value = added[0] if added else None
            if type(value) is str:
                found = text_problem(value, kind)
                if found is not None:
                    raise InvalidInput(f"{label}{found}。")


event.listen(Session, "before_flush", _check)
