"""What the grade steps, vetoes, ballots and acceptance decisions refuse, and that a refusal
writes nothing.

Refusals are checked by exit code (1: refused by a rule, 2: a usage error) and by what the
ledger holds afterwards, with at most a short key word of the message.
"""

from datetime import date
from pathlib import Path

import pytest
from ledgerkit import RUBRIC, VILLAGES, copy_ledger, js, session_of
from sqlmodel import select

from jcnian.campaign import acceptance, plans
from jcnian.campaign.tables import AcceptanceDecision, Rectification
from jcnian.errors import Conflict, GateError, InvalidInput, NotFound
from jcnian.gradebook import entry as grade_entry
from jcnian.gradebook import steps as grade_steps
from jcnian.gradebook.tables import GradeEvent
from jcnian.grading import Grade, check_ballot_form, parse_ballot_option
from jcnian.models import Branch

GOOD, MIDDLING = VILLAGES[0], VILLAGES[6]  # proposed 好 and 一般 by within_quota()


def refused(result, code: int = 1, word: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "内部错误" not in result.stderr
    if word is not None:
        assert word in result.stderr, result.stderr


def steps_of(db: str, branch: str) -> list[tuple[str, str | None]]:
    """One branch's grade events (step, grade), oldest first, read straight from the ledger."""
    with session_of(db) as session:
        rows = session.exec(
            select(GradeEvent.step, GradeEvent.grade)
            .join(Branch)
            .where(Branch.name == branch)
            .order_by(GradeEvent.id)  # type: ignore[arg-type]
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def every_event(db: str) -> list[tuple]:  # type: ignore[type-arg]
    """Every grade event of the ledger, oldest first."""
    with session_of(db) as session:
        return list(
            session.exec(
                select(GradeEvent.branch_id, GradeEvent.step, GradeEvent.grade, GradeEvent.on).order_by(
                    GradeEvent.id
                )  # type: ignore[arg-type]
            ).all()
        )


@pytest.fixture
def approved_template(backend: str, proposed_template: str, templates) -> str:  # type: ignore[no-untyped-def]
    def build(target: str) -> None:
        copy_ledger(proposed_template, target)
        with session_of(target) as session:
            grade_steps.deliberate(session, None, date(2012, 4, 22))
            grade_steps.approve(session, None, date(2012, 4, 25))  # the quota holds: no override

    return str(templates("approved", backend, build))


@pytest.fixture
def proposed(run, db: str, proposed_template: Path):  # type: ignore[no-untyped-def]
    """Every branch scored within the quota and its proposal computed (2012-04-20)."""
    copy_ledger(proposed_template, db)
    return run


@pytest.fixture
def approved(run, db: str, approved_template: Path):  # type: ignore[no-untyped-def]
    """…then deliberated (04-22) and approved as proposed (04-25)."""
    copy_ledger(approved_template, db)
    return run


# --- deliberation after approval ----------------------------------------------------------


def test_deliberating_an_approved_branch_is_refused(approved, db) -> None:  # type: ignore[no-untyped-def]
    before = steps_of(db, GOOD)
    refused(approved("grade", "deliberate", GOOD, "--on", "2012-04-26"), word="grade change")
    refused(approved("grade", "deliberate", GOOD, "-g", "较好", "--reason", "会议意见", "--on", "2012-04-26"))
    assert steps_of(db, GOOD) == before == [("proposed", "好"), ("deliberated", "好"), ("final", "好")]
    with session_of(db) as session, pytest.raises(Conflict):
        grade_steps.deliberate(session, [GOOD], date(2012, 4, 26))
    # --all finds nothing left to deliberate: not an error, and nothing is written.
    again = approved("grade", "deliberate", "--all", "--on", "2012-04-26")
    assert again.exit_code == 0, again.stderr
    assert steps_of(db, GOOD) == before


# --- changes need a reason ------------------------------------------------------------------


def test_a_changed_grade_without_a_reason_is_refused_at_every_step(proposed, db) -> None:  # type: ignore[no-untyped-def]
    # Deliberation that changes the proposal.
    refused(proposed("grade", "deliberate", MIDDLING, "-g", "较好", "--on", "2012-04-22"), word="--reason")
    refused(proposed("grade", "deliberate", MIDDLING, "-g", "较好", "--reason", "  ", "--on", "2012-04-22"))
    assert steps_of(db, MIDDLING) == [("proposed", "一般")]
    # Agreeing with the proposal needs no reason.
    same = proposed("grade", "deliberate", MIDDLING, "-g", "一般", "--on", "2012-04-22")
    assert same.exit_code == 0, same.stderr
    assert proposed("grade", "deliberate", "--all", "--on", "2012-04-22").exit_code == 0
    # Approval that differs from the deliberation.
    refused(proposed("grade", "approve", MIDDLING, "-g", "较好", "--on", "2012-04-25"), word="--reason")
    assert steps_of(db, MIDDLING)[-1] == ("deliberated", "一般")
    assert proposed("grade", "approve", "--all", "--on", "2012-04-25").exit_code == 0
    # 改定 after approval: --reason is required (usage error), and a blank one is no reason.
    before = steps_of(db, MIDDLING)
    refused(proposed("grade", "change", MIDDLING, "较好", "--on", "2012-04-26"), code=2)
    refused(proposed("grade", "change", MIDDLING, "较好", "--reason", " \u3000 ", "--on", "2012-04-26"))
    with session_of(db) as session, pytest.raises(InvalidInput):
        grade_steps.change_grade(session, MIDDLING, Grade.FAIRLY_GOOD, date(2012, 4, 26), None)
    assert steps_of(db, MIDDLING) == before
    # With a reason it is recorded, reason and all.
    done = proposed("grade", "change", MIDDLING, "较好", "--reason", "复核加分", "--on", "2012-04-26")
    assert done.exit_code == 0, done.stderr
    last = js(proposed("grade", "history", MIDDLING, "--format", "json"))["events"][-1]  # type: ignore[index]
    assert (last["step"], last["grade"], last["reason"]) == ("changed", "较好", "复核加分")


def test_a_change_needs_a_final_grade_and_a_different_one(proposed, db) -> None:  # type: ignore[no-untyped-def]
    refused(
        proposed("grade", "change", GOOD, "较好", "--reason", "复核", "--on", "2012-04-26"), word="approve"
    )
    assert proposed("grade", "deliberate", "--all", "--on", "2012-04-22").exit_code == 0
    assert proposed("grade", "approve", "--all", "--on", "2012-04-25").exit_code == 0
    refused(proposed("grade", "change", GOOD, "好", "--reason", "复核", "--on", "2012-04-26"))
    assert steps_of(db, GOOD)[-1] == ("final", "好")


# --- publication with grades pending --------------------------------------------------------


def test_publishing_with_grades_pending_is_refused_and_writes_nothing(proposed, db) -> None:  # type: ignore[no-untyped-def]
    refused(proposed("grade", "publish", "--on", "2012-04-28"))
    # Even an override cannot publish when nothing is final.
    refused(proposed("grade", "publish", "--on", "2012-04-28", "--override", "先公开"))
    assert proposed("grade", "deliberate", "--all", "--on", "2012-04-22").exit_code == 0
    assert proposed("grade", "approve", GOOD, "--on", "2012-04-25").exit_code == 0
    before = every_event(db)
    refused(proposed("grade", "publish", "--on", "2012-04-28"), word="--override")
    assert every_event(db) == before
    rows = js(proposed("grade", "list", "--format", "json"))
    assert not any("已公开" in f for r in rows for f in r["flags"])  # type: ignore[union-attr,index]
    with session_of(db) as session, pytest.raises(GateError):
        grade_steps.publish(session, date(2012, 4, 28))
    # Once all are final it goes through.
    assert proposed("grade", "approve", "--all", "--on", "2012-04-25").exit_code == 0
    assert proposed("grade", "publish", "--on", "2012-04-28").exit_code == 0
    assert steps_of(db, MIDDLING)[-1] == ("published", "一般")


# --- vetoes ---------------------------------------------------------------------------------


def test_a_removed_veto_restores_the_grade_and_cannot_be_removed_twice(proposed, db) -> None:  # type: ignore[no-untyped-def]
    def proposal() -> tuple[str, list[str]]:
        row = next(r for r in js(proposed("grade", "list", "--format", "json")) if r["branch"] == GOOD)  # type: ignore[index,union-attr]
        return row["proposed"], [f for f in row["flags"] if "一票否决" in f]

    assert proposed("grade", "veto", GOOD, "群体性").exit_code == 0
    again = proposed("grade", "veto", GOOD, "群体性事件")  # same condition, another part of its name
    assert again.exit_code == 0
    assert len(js(proposed("grade", "show", GOOD, "--format", "json"))["vetoes"]) == 1  # type: ignore[index,arg-type]
    assert proposal()[0] == "较差"
    refused(proposed("grade", "veto", GOOD, "迟到早退"))  # not a condition of the rubric
    refused(proposed("grade", "veto", GOOD, "违纪违法", "--remove"))  # not registered for this branch
    assert proposal()[0] == "较差"
    assert proposed("grade", "veto", GOOD, "群体性", "--remove").exit_code == 0
    assert proposal() == ("好", [])
    refused(proposed("grade", "veto", GOOD, "群体性", "--remove"))
    with session_of(db) as session, pytest.raises(NotFound):
        grade_entry.set_veto(session, GOOD, "群体性", remove=True)
    # Of two conditions, removing one leaves the other in force.
    assert proposed("grade", "veto", GOOD, "群体性").exit_code == 0
    assert proposed("grade", "veto", GOOD, "换届选举").exit_code == 0
    assert proposed("grade", "veto", GOOD, "群体性", "--remove").exit_code == 0
    grade, flags = proposal()
    assert grade == "较差" and len(flags) == 1
    assert RUBRIC.vetoes[3] in flags[0] and RUBRIC.vetoes[1] not in flags[0]


# --- ballots --------------------------------------------------------------------------------


def test_the_ballot_form_rule() -> None:
    for one_form in ({"好", "较好", "一般", "较差"}, {"满意", "基本满意", "不满意"}, {"较差"}):
        check_ballot_form(one_form)
    for mixed in ({"好", "满意"}, {"较差", "不满意"}, {"一般", "基本满意", "满意"}):
        with pytest.raises(InvalidInput):
            check_ballot_form(mixed)
    with pytest.raises(InvalidInput):
        parse_ballot_option("优秀")


BAD_COUNTS = {
    "mixed": {"好": 5, "满意": 3},  # two forms on one ballot
    "negative": {"好": -5, "较好": 3},
    "fraction": {"好": 1.5},
    "bool": {"好": True},  # a bool is not a count
    "unknown": {"优秀": 5},
    "twice": {"好": 1, "good": 2},  # one option under two names
    "empty": {},
}
BAD_ARGS = {  # what is typed after `grade ballot 五夫村`, and the exit code
    "mixed": (("好=5", "满意=3"), 1),
    "negative": (("好=-5",), 2),
    "fraction": (("好=1.5",), 2),
    "unknown": (("优秀=5",), 1),
    "twice": (("好=5", "好=3"), 2),
    "no-count": (("好",), 2),
}


def test_a_bad_ballot_is_refused_and_keeps_the_old_counts(seeded, db) -> None:  # type: ignore[no-untyped-def]
    with session_of(db) as session:
        grade_entry.enter_ballot(session, GOOD, {"满意": 9, "基本满意": 1})
    for case, counts in BAD_COUNTS.items():
        with session_of(db) as session, pytest.raises(InvalidInput):
            grade_entry.enter_ballot(session, GOOD, counts)
            pytest.fail(f"ballot {case} accepted")
    assert seeded("grade", "ballot", GOOD, "好=8", "较好=2").exit_code == 0
    for case, (args, code) in BAD_ARGS.items():
        result = seeded("grade", "ballot", GOOD, *args)
        assert result.exit_code == code, (case, result.stderr)
        assert "内部错误" not in result.stderr, case
    assert js(seeded("grade", "show", GOOD, "--format", "json"))["ballot"] == {"好": 8, "较好": 2}  # type: ignore[index]


# --- a second failed acceptance round --------------------------------------------------------


def _accept_steps(db: str, branch: str, day: str) -> None:
    """The four ways of acceptance of the branch's current round (setup, so not through the CLI)."""
    on = date.fromisoformat(day)
    with session_of(db) as session:
        for method in ("自查初评", "实地调查", "满意度测评", "组织评审"):
            acceptance.record_step(session, branch, method, on, rate=0.93 if method == "满意度测评" else None)


def _report_row(run, on: str, branch: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def,type-arg]
    report = js(run("accept", "report", "--as-of", on, "--format", "json"))
    row = next(r for r in report["branches"] if r["branch"] == branch)  # type: ignore[index,union-attr]
    return report, row  # type: ignore[return-value]


def test_a_second_failed_round_opens_a_new_rectification(approved, db) -> None:  # type: ignore[no-untyped-def]
    run, branch = approved, VILLAGES[2]  # 好, not on the backward list
    with session_of(db) as session:
        plans.set_plan(session, branch, date(2012, 5, 6), plan="三项工程")
    _accept_steps(db, branch, "2012-08-20")
    first = run(
        "accept",
        "decide",
        branch,
        "--fail",
        "--on",
        "2012-09-01",
        "--opinion",
        "阵地未达标",
        "--deadline",
        "2012-09-10",
    )
    assert first.exit_code == 0, first.stderr
    assert run("accept", "rectified", branch, "--on", "2012-09-08").exit_code == 0
    # Round 2 is a new round: its four ways of acceptance are owed again.
    refused(
        run(
            "accept",
            "decide",
            branch,
            "--fail",
            "--on",
            "2012-09-12",
            "--opinion",
            "x",
            "--deadline",
            "2012-09-20",
        )
    )
    _accept_steps(db, branch, "2012-09-11")
    second = run(
        "accept", "decide", branch, "--fail", "--grade", "一般", "--on", "2012-09-12",
        "--opinion", "制度未上墙", "--deadline", "2012-09-20",
    )  # fmt: skip
    assert second.exit_code == 0, second.stderr
    report, row = _report_row(run, "2012-09-13", branch)
    assert report["failed"] == [branch]
    assert (row["result"], row["rounds"], row["initial"], row["final"], row["moved"]) == (
        "未通过",
        2,
        "好",
        "一般",
        "降级",
    )
    assert "2012-09-20" in row["rectification"]
    assert report["open_rectifications"] == [
        {"branch": branch, "opinion": "制度未上墙", "deadline": "2012-09-20", "overdue": False}
    ]
    with session_of(db) as session:
        bid = session.exec(select(Branch.id).where(Branch.name == branch)).one()
        decisions = session.exec(select(AcceptanceDecision).where(AcceptanceDecision.branch_id == bid)).all()
        assert [(d.round, d.passed, d.grade) for d in decisions] == [(1, False, None), (2, False, "一般")]
        rects = session.exec(
            select(Rectification).where(Rectification.branch_id == bid).order_by(Rectification.id)
        ).all()  # type: ignore[arg-type]
        assert [(r.opinion, r.closed_on) for r in rects] == [
            ("阵地未达标", date(2012, 9, 8)),
            ("制度未上墙", None),
        ]
    # No pass while round 2's rectification is open, even with round 3's steps done.
    _accept_steps(db, branch, "2012-09-14")
    refused(run("accept", "decide", branch, "--pass", "--grade", "较好", "--on", "2012-09-18"), word="整改")
    assert run("accept", "rectified", branch, "--on", "2012-09-19").exit_code == 0
    passed = run("accept", "decide", branch, "--pass", "--grade", "较好", "--on", "2012-09-25")
    assert passed.exit_code == 0, passed.stderr
    report, row = _report_row(run, "2012-09-30", branch)
    assert (row["rounds"], row["final"], row["moved"]) == (3, "较好", "降级")
    assert row["result"].startswith("通过") and "3" in row["result"]
    assert report["failed"] == [] and report["open_rectifications"] == []
    assert steps_of(db, branch)[3:] == [("regraded", "一般"), ("regraded", "较好")]
