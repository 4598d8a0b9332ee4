"""The four phases through the CLI on a temporary ledger: records, gates, status, overdue, lagging."""

import json
from datetime import date

from sqlmodel import select

from jcnian import db as storage
from jcnian.campaign.tables import GateOverride
from jcnian.gradebook import reads as gradebook
from jcnian.gradebook import steps as grade_steps
from jcnian.gradebook.tables import Score
from jcnian.models import Branch

VILLAGE = "五夫村党总支"  # seq 1: lowest village score below, so on the backward list
OTHER = "二都村党支部"


def grade_all(db_path: str, on: date = date(2012, 4, 27)) -> None:
    """Give every branch a final grade, as 分类定级 would, with distinct scores.

    Branch ``seq`` n scores 60 + 0.9·n on every source, so the two first villages are the
    bottom 10% (后进) and enterprises near the end reach 较好. The quota is not the point
    of these tests, so the approval goes through with an override.
    """
    engine = storage.open_engine(db_path)
    try:
        with storage.transaction(engine) as session:
            rubric = gradebook.current_rubric(session)
            for branch in session.exec(select(Branch)).all():
                share = (60 + 0.9 * branch.seq) / 100
                for source in rubric.sources:
                    for indicator, full in rubric.indicators.items():
                        session.add(
                            Score(
                                branch_id=branch.id, source=source, indicator=indicator, points=full * share
                            )
                        )
            session.flush()
            grade_steps.compute(session, date(2012, 4, 20))
            grade_steps.deliberate(session, None, date(2012, 4, 24))
            grade_steps.approve(session, None, on, override="测试：比例不在此检查")
            grade_steps.publish(session, date(2012, 4, 29), override="测试：比例不在此检查")
    finally:
        engine.dispose()


def js(result) -> object:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr
    return result.stderr


def refused(result, *parts: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, (result.stdout, result.stderr)
    text = " ".join(result.stderr.split())
    for part in parts:
        assert part in text, text
    return text


def checklist(run, branch: str, on: str) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    data = js(run("status", branch, "--as-of", on, "--format", "json"))
    return {i["item"]: i for i in data["checklist"]}  # type: ignore[index]


# --- campaign -------------------------------------------------------------------------


def test_campaign_show_gives_the_seed_windows_and_states(seeded) -> None:  # type: ignore[no-untyped-def]
    data = js(seeded("campaign", "show", "--as-of", "2012-04-25", "--format", "json"))
    windows = {w["phase"]: (w["start"], w["end"], w["state"]) for w in data["windows"]}
    assert windows == {
        "动员部署": ("2012-03-01", "2012-04-25", "进行中"),
        "分类定级": ("2012-03-01", "2012-04-30", "进行中"),
        "深入实施": ("2012-05-01", "2012-08-31", "未开始"),
        "总结验收": ("2012-08-01", "2012-09-30", "未开始"),
    }
    assert {r["rule"]: r["due"] for r in data["rules"]} == {
        "revisit": "2012-06-30",
        "coverage": "2012-06-30",
        "publicity": "2012-05-31",
        "visit": "2012-08-31",
        "regulations": "2012-08-31",
    }
    table = seeded("campaign", "show", "--as-of", "2012-04-26")
    assert "已结束" in table.stdout and "回头看" in table.stdout


def test_set_window_for_another_year_and_bad_dates_change_nothing(seeded) -> None:  # type: ignore[no-untyped-def]
    ok(seeded("campaign", "set-window", "总结考评", "2012-08-10", "2012-10-15"))
    data = js(seeded("campaign", "show", "--as-of", "2012-10-15", "--format", "json"))
    accept = next(w for w in data["windows"] if w["code"] == "accept")
    assert (accept["start"], accept["end"], accept["state"]) == ("2012-08-10", "2012-10-15", "进行中")
    refused(seeded("campaign", "set-window", "accept", "2012-10-15", "2012-08-10"), "早于开始日期")
    refused(seeded("campaign", "set-window", "收尾", "2012-10-01", "2012-10-15"), "没有“收尾”这个阶段")
    assert seeded("campaign", "set-window", "accept", "2012-13-01", "2012-10-15").exit_code == 2
    again = js(seeded("campaign", "show", "--format", "json"))
    assert next(w for w in again["windows"] if w["code"] == "accept")["end"] == "2012-10-15"
    ok(seeded("campaign", "set-rule", "revisit", "2012-07-15"))
    status = js(seeded("status", VILLAGE, "--as-of", "2012-07-01", "--format", "json"))
    revisit = next(i for i in status["checklist"] if "回头看" in i["item"])
    assert revisit["due"] == "2012-07-15" and not revisit["overdue"]


# --- 动员部署 --------------------------------------------------------------------------


def test_mobilisation_is_recorded_once_and_changes_are_reported(seeded) -> None:  # type: ignore[no-untyped-def]
    assert "已登记动员会议" in ok(seeded("mobilize", "meeting", "五夫村", "--on", "2012-04-10"))
    assert "未做改动" in ok(seeded("mobilize", "meeting", "五夫村", "--on", "2012-04-10"))
    assert "原为 2012-04-10" in ok(
        seeded("mobilize", "meeting", "五夫村", "--on", "2012-04-12", "--attendance", "40")
    )
    refused(seeded("mobilize", "survey", "五夫村", "座谈会", "电话调查", "--on", "2012-04-12"), "电话调查")
    items = checklist(seeded, VILLAGE, "2012-04-30")
    assert items["调查摸底（征求意见）"]["done"] is False  # the bad line wrote nothing, not even 座谈会
    ok(seeded("mobilize", "survey", "五夫村", "座谈会", "入户走访", "--on", "2012-04-12"))
    items = checklist(seeded, VILLAGE, "2012-04-30")
    assert items["召开动员会议"]["detail"] == "2012-04-12"
    assert items["调查摸底（征求意见）"]["detail"] == "2/5：座谈会、入户走访"


def test_problem_ledger(seeded) -> None:  # type: ignore[no-untyped-def]
    ok(seeded("problem", "add", "五夫村", "活动阵地面积不足", "--source", "座谈会", "--on", "2012-04-12"))
    again = ok(seeded("problem", "add", "五夫村", " 活动阵地面积不足 ", "-s", "座谈会", "--on", "2012-04-13"))
    assert "未重复登记" in again
    refused(seeded("problem", "add", "五夫村", "党员老龄化", "--source", "电话"), "问题来源")
    rows = js(seeded("problem", "list", "--format", "json"))
    assert [(r["branch"], r["text"], r["status"]) for r in rows] == [(VILLAGE, "活动阵地面积不足", "未解决")]  # type: ignore[index]
    pid = str(rows[0]["id"])  # type: ignore[index]
    refused(seeded("problem", "update", pid, "--on", "2012-04-01"), "早于发现日期")
    assert "未解决 → 已解决" in ok(seeded("problem", "update", pid, "--on", "2012-06-20"))
    assert js(seeded("problem", "list", "--status", "未解决", "--format", "json")) == []
    refused(seeded("problem", "update", "999", "--on", "2012-06-20"), "没有编号 999")


# --- status ---------------------------------------------------------------------------


def test_status_json_contract(seeded) -> None:  # type: ignore[no-untyped-def]
    ok(seeded("mobilize", "meeting", "五夫村", "--on", "2012-04-10"))
    data = js(seeded("status", "--as-of", "2012-05-01", "--format", "json"))
    phases = data["phases"]  # type: ignore[index]
    assert [p["phase"] for p in phases] == ["动员部署", "分类定级", "深入实施", "总结验收"]
    for p in phases:
        assert list(p) == ["phase", "start", "end", "state", "done", "total", "overdue"]
    assert [p["state"] for p in phases] == ["已结束", "已结束", "进行中", "未开始"]
    mobilize = phases[0]
    assert (mobilize["start"], mobilize["end"], mobilize["total"], mobilize["done"]) == (
        "2012-03-01",
        "2012-04-25",
        32,
        0,
    )
    assert mobilize["overdue"] == 32  # nobody has the survey and the problem ledger yet
    meeting = next(d for d in data["deliverables"] if d["item"] == "召开动员会议")  # type: ignore[index]
    assert (meeting["done"], meeting["overdue"]) == (1, 31)
    table = seeded("status", "--as-of", "2012-05-01")
    assert table.exit_code == 0 and "进行中" in table.stdout and "逾期事项" in table.stdout
    one = js(seeded("status", "五夫村", "--as-of", "2012-05-01", "--format", "json"))
    assert one["branch"] == VILLAGE and one["phases"][0]["total"] == 1  # type: ignore[index]
    csv = seeded("status", "--as-of", "2012-05-01", "--format", "csv")
    assert csv.stdout.splitlines()[0] == "phase,start,end,state,done,total,overdue"


def test_status_on_a_missing_ledger_says_how_to_start(run) -> None:  # type: ignore[no-untyped-def]
    refused(run("status"), "jcnian init")


# --- gates ----------------------------------------------------------------------------


def test_plan_waits_for_the_grade_unless_overridden(seeded, db) -> None:  # type: ignore[no-untyped-def]
    refused(
        seeded("plan", "set", "五夫村", "--plan", "五项工程", "--on", "2012-04-20"),
        "还没有组织考评定级",
        "--override",
    )
    assert js(seeded("plan", "show", "五夫村", "--format", "json"))["plan"] is None  # type: ignore[index]
    out = ok(
        seeded(
            "plan",
            "set",
            "五夫村",
            "--plan",
            "五项工程",
            "--on",
            "2012-04-20",
            "--override",
            "镇党委同意先行",
        )
    )
    assert "镇党委同意先行" in out
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        kept = session.exec(select(GateOverride)).all()
        assert [(o.gate, o.reason) for o in kept] == [("plan", "镇党委同意先行")]
        assert "组织考评定级" in kept[0].refused
    engine.dispose()
    # The override shows in the acceptance report, with what it overrode.
    report = js(seeded("accept", "report", "--as-of", "2012-09-30", "--format", "json"))
    assert report["overrides"][0]["reason"] == "镇党委同意先行"  # type: ignore[index]


def test_pledge_needs_goal_measures_and_plan(seeded, db) -> None:  # type: ignore[no-untyped-def]
    grade_all(db)
    refused(
        seeded("plan", "pledge", "五夫村", "年内建成便民服务中心", "--on", "2012-05-10"),
        "争创目标、整改措施、实施方案",
    )
    ok(
        seeded(
            "plan",
            "set",
            "五夫村",
            "--goal",
            "争创好等级",
            "--measures",
            "建强班子",
            "--plan",
            "五项工程",
            "--on",
            "2012-05-06",
        )
    )
    ok(seeded("plan", "pledge", "五夫村", "年内建成便民服务中心", "--on", "2012-05-10", "--medium", "公开栏"))
    # Rewording the goal later reports the old text and keeps the date it was first set.
    out = ok(seeded("plan", "set", "五夫村", "--goal", "争创较好等级", "--on", "2012-06-01"))
    assert "原为 争创好等级" in out
    shown = js(seeded("plan", "show", "五夫村", "--format", "json"))
    assert (shown["goal"], shown["goal_on"]) == ("争创较好等级", "2012-05-06")  # type: ignore[index]
    assert (shown["pledge"], shown["pledge_on"], shown["plan_on"]) == (
        "年内建成便民服务中心",
        "2012-05-10",
        "2012-05-06",
    )  # type: ignore[index]


def _steps(run, branch: str, day: str, *, skip: str = "") -> None:  # type: ignore[no-untyped-def]
    for method in ("自查初评", "实地调查", "满意度测评", "组织评审"):
        if method == skip:
            continue
        extra = ["--rate", "93"] if method == "满意度测评" else []
        ok(run("accept", "step", branch, method, "--on", day, *extra))


def test_acceptance_gates_rectification_and_regrade(seeded, db) -> None:  # type: ignore[no-untyped-def]
    grade_all(db)
    refused(
        seeded("accept", "decide", "二都村", "--pass", "--grade", "较好", "--on", "2012-09-01"),
        "还没有实施方案",
    )
    ok(seeded("plan", "set", "二都村", "--plan", "三项工程", "--on", "2012-05-06"))
    refused(seeded("accept", "step", "二都村", "自查初评", "--on", "2012-07-20"), "08-01 才开始")
    refused(seeded("accept", "step", "二都村", "满意度测评", "--on", "2012-08-20"), "--rate")
    _steps(seeded, "二都村", "2012-08-20", skip="实地调查")
    refused(
        seeded("accept", "decide", "二都村", "--pass", "--grade", "较好", "--on", "2012-09-01"),
        "本轮验收还缺实地调查",
    )
    ok(seeded("accept", "step", "二都村", "实地调查", "--on", "2012-08-22"))
    refused(seeded("accept", "decide", "二都村", "--fail", "--on", "2012-09-01"), "整改意见")
    failed = ok(
        seeded(
            "accept", "decide", "二都村", "--fail", "--on", "2012-09-01",
            "--opinion", "阵地未达标", "--deadline", "2012-09-20",
        )
    )  # fmt: skip
    assert "第 1 轮验收未通过" in failed and "2012-09-20" in failed
    # Round 2: the four methods again, and no pass while the rectification is open.
    _steps(seeded, "二都村", "2012-09-15")
    refused(
        seeded("accept", "decide", "二都村", "--pass", "--grade", "较好", "--on", "2012-09-18"),
        "整改意见尚未完成（期限 2012-09-20）",
    )
    mid = js(seeded("accept", "report", "--as-of", "2012-09-18", "--format", "json"))
    assert mid["failed"] == ["二都村党支部"]  # type: ignore[index]
    assert mid["open_rectifications"][0]["opinion"] == "阵地未达标"  # type: ignore[index]
    ok(seeded("accept", "rectified", "二都村", "--on", "2012-09-19"))
    passed = ok(seeded("accept", "decide", "二都村", "--pass", "--grade", "较好", "--on", "2012-09-25"))
    assert "第 2 轮验收通过" in passed
    assert "未做改动" in ok(
        seeded("accept", "decide", "二都村", "--pass", "--grade", "较好", "--on", "2012-09-25")
    )
    refused(
        seeded("accept", "decide", "二都村", "--pass", "--grade", "好", "--on", "2012-09-26"),
        "已于 2012-09-25 通过验收",
    )
    report = js(seeded("accept", "report", "--as-of", "2012-09-30", "--format", "json"))
    row = next(r for r in report["branches"] if r["branch"] == "二都村党支部")  # type: ignore[index]
    assert (row["initial"], row["final"], row["moved"], row["rounds"]) == ("一般", "较好", "升级", 2)
    assert row["satisfaction"] == 0.93
    assert report["moved_up"] == ["二都村党支部"] and report["failed"] == []  # type: ignore[index]
    assert report["open_rectifications"] == []  # type: ignore[index]
    # 重新评定级次 is kept in the grade history.
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        history = grade_steps.history(session, "二都村")
    engine.dispose()
    assert [(e.step, e.grade) for e in history.events][-1] == ("regraded", "较好")
    assert (history.initial, history.final) == ("一般", "较好")


def test_backward_village_needs_one_village_plan(seeded, db) -> None:  # type: ignore[no-untyped-def]
    grade_all(db)
    ok(seeded("plan", "set", "五夫村", "--plan", "整顿转化方案", "--on", "2012-05-06"))
    _steps(seeded, "五夫村", "2012-08-20")
    refused(
        seeded("accept", "decide", "五夫村", "--pass", "--grade", "一般", "--on", "2012-09-01"), "一村一策"
    )
    items = checklist(seeded, "五夫村", "2012-05-10")
    assert items["一村一策（后进村）"]["done"] is False
    ok(
        seeded(
            "project", "add", "五夫村", "一村一策整顿转化", "--owner", "章伟青",
            "--start", "2012-05-10", "--due", "2012-08-20", "--one-village", "--on", "2012-05-08",
        )
    )  # fmt: skip
    assert checklist(seeded, "五夫村", "2012-05-10")["一村一策（后进村）"]["done"] is True
    ok(seeded("accept", "decide", "五夫村", "--pass", "--grade", "一般", "--on", "2012-09-01"))


# --- overdue and lagging --------------------------------------------------------------


def test_overdue_and_lagging_as_of_a_date(seeded) -> None:  # type: ignore[no-untyped-def]
    ok(
        seeded(
            "project", "add", "五夫村", "村级活动阵地改造", "--owner", "朱 高华",
            "--start", "2012-05-01", "--due", "2012-05-31", "--on", "2012-05-01",
        )
    )  # fmt: skip
    ok(seeded("project", "task", "五夫村/阵地", "完成设计图", "--week", "2012-05-09"))
    ok(seeded("project", "progress", "阵地改造", "30", "--on", "2012-05-16"))
    assert "未做改动" in ok(seeded("project", "progress", "阵地改造", "30", "--on", "2012-05-16"))
    refused(seeded("project", "progress", "阵地改造", "130", "--on", "2012-05-17"), "0 到 100")
    # On 05-06 nothing lags: 17% was due, within the 20-point tolerance, and no task is due.
    assert js(seeded("lagging", "--as-of", "2012-05-06", "--format", "json")) == []
    lag = js(seeded("lagging", "--as-of", "2012-05-16", "--format", "json"))
    assert [(r["owner"], r["project"], r["percent"], r["expected"]) for r in lag] == [  # type: ignore[index]
        ("朱高华", "村级活动阵地改造", 30, 50)
    ]
    # Not behind the line by more than 20 points, but the week's task (due Sunday 05-13) is late.
    assert lag[0]["reason"] == "1 项任务逾期"  # type: ignore[index]
    late = seeded("overdue", "--as-of", "2012-06-01", "--format", "json")
    assert late.exit_code == 1  # something is late: a scheduled job can alert on it
    items = {(r["branch"], r["item"]) for r in json.loads(late.stdout)}
    assert (VILLAGE, "项目“村级活动阵地改造”") in items
    assert (VILLAGE, "任务“完成设计图”（村级活动阵地改造）") in items
    assert (VILLAGE, "月度考核 2012-05（村级活动阵地改造）") in items
    assert (VILLAGE, "召开动员会议") in items
    ok(seeded("project", "done", "阵地改造", "完成设计图", "--on", "2012-05-12"))
    ok(seeded("project", "assess", "阵地改造", "2012-05", "较好", "--on", "2012-05-31"))
    ok(seeded("project", "progress", "阵地改造", "100", "--on", "2012-05-30"))
    items = {
        (r["branch"], r["item"])
        for r in json.loads(seeded("overdue", "--as-of", "2012-06-01", "--format", "json").stdout)
    }
    assert not any("阵地改造" in item for branch, item in items if branch == VILLAGE)
    assert js(seeded("lagging", "--as-of", "2012-06-01", "--format", "json")) == []
    projects = js(seeded("project", "list", "五夫村", "--as-of", "2012-06-01", "--format", "json"))
    assert [(p["state"], p["percent"], p["owner"]) for p in projects] == [("已完成", 100, "朱高华")]  # type: ignore[index]


def test_other_requirements(seeded) -> None:  # type: ignore[no-untyped-def]
    ok(seeded("report", "add", "五夫村", "2012-03", "--on", "2012-03-30"))
    assert "未做改动" in ok(seeded("report", "add", "五夫村", "2012年3月", "--on", "2012-03-30"))
    # Reports are owed from May, the month after the document (2012-04-25): none by 05-31.
    assert seeded("report", "missing", "--as-of", "2012-05-31", "--format", "json").exit_code == 0
    missing = seeded("report", "missing", "--as-of", "2012-06-01", "--format", "json")
    assert missing.exit_code == 1
    rows = json.loads(missing.stdout)
    assert len(rows) == 32 and {"branch": VILLAGE, "month": "2012-05", "due": "2012-05-31"} in rows
    ok(seeded("regulation", "add", "五夫村", "党员联系户制度", "--on", "2012-06-01"))
    ok(seeded("regulation", "add", "五夫村", "民主议事制度", "--on", "2012-06-02"))
    assert "1–2 项" in ok(seeded("regulation", "add", "五夫村", "积分管理制度", "--on", "2012-06-03"))
    ok(seeded("publicity", "slogan", "五夫村", "强组织、增活力，创先争优迎十八大", "--on", "2012-04-20"))
    ok(seeded("publicity", "column", "五夫村", "--on", "2012-04-20"))
    ok(seeded("visit", "add", "五夫村", "--kind", "回头看", "--on", "2012-06-12", "--findings", "五个摸清"))
    items = checklist(seeded, "五夫村", "2012-07-01")
    assert items["固定标语和活动专栏"]["done"] and items["换届“回头看”"]["done"]
    assert items["建立 1–2 项制度"]["detail"] == "3 项"
    # Enterprise coverage: due before 07-01.
    ok(seeded("coverage", "add", "上虞市某电器厂", "--on", "2012-05-20"))
    ok(seeded("coverage", "add", "上虞市某纺织厂", "--on", "2012-05-21", "--branch", "五夫工业区"))
    cov = js(seeded("coverage", "show", "--as-of", "2012-07-01", "--format", "json"))
    assert (cov["total"], cov["covered"], cov["overdue"]) == (2, 1, True)  # type: ignore[index]
    assert js(seeded("coverage", "show", "--as-of", "2012-06-30", "--format", "json"))["overdue"] is False  # type: ignore[index]


# --- a whole campaign -----------------------------------------------------------------


def test_a_whole_campaign_for_one_branch_through_the_cli(seeded, db) -> None:  # type: ignore[no-untyped-def]
    """Every deliverable of the four phases for one branch, then its checklist is all done."""
    b = "二都村"
    ok(seeded("mobilize", "meeting", b, "--on", "2012-04-05", "--attendance", "52"))
    ok(
        seeded(
            "mobilize",
            "survey",
            b,
            "座谈会",
            "问卷调查",
            "个别访谈",
            "入户走访",
            "群众测评",
            "--on",
            "2012-04-08",
        )
    )
    ok(seeded("problem", "add", b, "村务公开不及时", "--source", "入户走访", "--on", "2012-04-08"))
    ok(seeded("publicity", "slogan", b, "组织创先进，党员争优秀，群众得实惠", "--on", "2012-04-10"))
    ok(seeded("publicity", "column", b, "--on", "2012-04-10"))
    for month, day in (("03", "30"), ("04", "28"), ("05", "30"), ("06", "29"), ("07", "30"), ("08", "30")):
        ok(seeded("report", "add", b, f"2012-{month}", "--on", f"2012-{month}-{day}"))
    grade_all(db)
    ok(
        seeded(
            "plan",
            "set",
            b,
            "--goal",
            "争创较好",
            "--measures",
            "公开上墙",
            "--plan",
            "两项工程",
            "--on",
            "2012-05-03",
        )
    )
    ok(seeded("plan", "pledge", b, "村务每月公开", "--on", "2012-05-05"))
    ok(
        seeded(
            "project", "add", b, "村务公开规范化", "--owner", "许胜和", "--start", "2012-05-07",
            "--due", "2012-07-31", "--quality", "每月 5 日前公开", "--effect", "群众满意",
        )
    )  # fmt: skip
    ok(seeded("project", "task", "村务公开", "公开栏改造", "--day", "2012-05-20"))
    ok(seeded("project", "done", "村务公开", "公开栏改造", "--on", "2012-05-19"))
    for month, pct in (("05", "30"), ("06", "70"), ("07", "100")):
        ok(seeded("project", "progress", "村务公开", pct, "--on", f"2012-{month}-28"))
        ok(seeded("project", "assess", "村务公开", f"2012-{month}", "好", "--on", f"2012-{month}-28"))
    ok(seeded("project", "supervise", b, "--form", "现场会", "--on", "2012-06-15", "--project", "村务公开"))
    ok(seeded("visit", "add", b, "--on", "2012-05-20", "--by", "王国尧"))
    ok(seeded("visit", "add", b, "--kind", "回头看", "--on", "2012-06-10"))
    ok(seeded("regulation", "add", b, "村务公开监督制度", "--on", "2012-06-01"))
    ok(seeded("problem", "update", "1", "--on", "2012-07-28"))
    _steps(seeded, b, "2012-08-15")
    ok(seeded("accept", "decide", b, "--pass", "--grade", "较好", "--on", "2012-09-05"))
    ok(seeded("report", "add", b, "2012-09", "--on", "2012-09-28"))
    items = checklist(seeded, b, "2012-09-30")
    assert [name for name, item in items.items() if not item["done"]] == []
    shown = js(seeded("project", "show", "村务公开", "--as-of", "2012-09-30", "--format", "json"))
    assert [a["result"] for a in shown["assessments"]] == ["好", "好", "好"]  # type: ignore[index]
    # As of earlier days the same ledger replays what was done by then.
    early = checklist(seeded, b, "2012-04-06")
    assert early["召开动员会议"]["done"] and not early["调查摸底（征求意见）"]["done"]
    status = js(seeded("status", "--as-of", "2012-09-30", "--format", "json"))
    accept = next(p for p in status["phases"] if p["phase"] == "总结验收")  # type: ignore[index]
    assert (accept["done"], accept["total"], accept["state"]) == (1, 32, "进行中")


def test_usage_errors_exit_2_and_write_nothing(seeded) -> None:  # type: ignore[no-untyped-def]
    assert seeded("status", "--as-of", "2012-13-01").exit_code == 2
    assert seeded("mobilize", "meeting", "五夫村", "--on", "20120410").exit_code == 2
    assert (
        seeded(
            "project", "task", "五夫村/阵地", "设计", "--week", "2012-05-07", "--day", "2012-05-08"
        ).exit_code
        == 2
    )
    refused(seeded("plan", "set", "五夫村"), "--goal")
    assert checklist(seeded, "五夫村", "2012-04-30")["召开动员会议"]["done"] is False


# --- re-entry keeps what was not given; dates in the campaign year; near-duplicate names --


def test_re_adding_a_project_keeps_quality_effect_and_one_village_flag(seeded) -> None:  # type: ignore[no-untyped-def]
    """Changing only the due date must not silently drop the branch's 一村一策 plan."""
    add = ("project", "add", "五夫村", "一村一策整顿转化", "--owner", "夏海良", "--start", "2012-05-14")
    ok(seeded(*add, "--due", "2012-07-15", "--quality", "班子团结", "--effect", "摘帽", "--one-village"))
    said = ok(seeded(*add, "--due", "2012-07-20", "--on", "2012-05-20"))
    assert "已更新" in said and "2012-07-15" in said
    rows = js(seeded("project", "list", "五夫村", "--as-of", "2012-06-01", "--format", "json"))
    project = next(r for r in rows if r["name"] == "一村一策整顿转化")  # type: ignore[union-attr,index]
    assert (project["due"], project["quality"], project["effect"], project["one_village"]) == (
        "2012-07-20",
        "班子团结",
        "摘帽",
        True,
    )
    ok(seeded(*add, "--due", "2012-07-20", "--not-one-village", "--on", "2012-05-21"))
    rows = js(seeded("project", "list", "五夫村", "--as-of", "2012-06-01", "--format", "json"))
    assert [r["one_village"] for r in rows] == [False]  # type: ignore[index]


def test_re_entering_a_meeting_keeps_attendance_and_note(seeded, db) -> None:  # type: ignore[no-untyped-def]
    """Correcting only the date of the meeting must not drop its attendance and note."""
    from jcnian.campaign.tables import MobilisationMeeting

    ok(
        seeded(
            "mobilize", "meeting", "五夫村", "--on", "2012-03-08", "--attendance", "46", "--note", "全体党员"
        )
    )
    said = ok(seeded("mobilize", "meeting", "五夫村", "--on", "2012-03-10"))
    assert "原为 2012-03-08，46 人" in " ".join(said.split())
    engine = storage.open_engine(db)
    try:
        with storage.transaction(engine) as session:
            row = session.exec(select(MobilisationMeeting)).one()
            assert (row.held_on, row.attendance, row.note) == (date(2012, 3, 10), 46, "全体党员")
    finally:
        engine.dispose()


def test_recorded_dates_outside_the_campaign_year_are_refused(seeded) -> None:  # type: ignore[no-untyped-def]
    refused(
        seeded(
            "project",
            "add",
            "五夫村",
            "阵地改造",
            "--owner",
            "朱高华",
            "--start",
            "2001-05-10",
            "--due",
            "2012-07-31",
        ),
        "--start",
        "2001-05-10",
        "2012 年",
    )
    ok(
        seeded(
            "project",
            "add",
            "五夫村",
            "阵地改造",
            "--owner",
            "朱高华",
            "--start",
            "2012-05-10",
            "--due",
            "2012-07-31",
        )
    )
    refused(seeded("project", "progress", "五夫村/阵地改造", "50", "--on", "2011-06-15"), "--on", "2012 年")
    refused(seeded("mobilize", "meeting", "五夫村", "--on", "2021-04-10"), "--on", "2012 年")
    refused(seeded("problem", "add", "五夫村", "阵地小", "-s", "座谈会", "--on", "2013-01-02"), "--on")
    rows = js(seeded("project", "show", "五夫村/阵地改造", "--as-of", "2011-06-30", "--format", "json"))
    assert rows["progress"] == []  # type: ignore[index]  # a query may look at any day


def test_a_new_person_one_character_from_a_known_one_is_flagged(seeded) -> None:  # type: ignore[no-untyped-def]
    said = " ".join(ok(seeded("liaison", "set", "五夫村", "--leader", "章伟清")).split())
    assert "新增人员“章伟清”" in said and "“章伟青”只差一字" in said
    project = ("project", "add", "五夫村", "阵地改造", "--start", "2012-05-10", "--due", "2012-07-31")
    assert "只差一字" not in ok(seeded(*project, "--owner", "朱高华", "--on", "2012-05-10"))
    said = " ".join(ok(seeded(*project, "--owner", "朱高花", "--on", "2012-05-10")).split())
    assert "“朱高华”只差一字" in said
    again = ok(seeded("liaison", "set", "五夫村", "--leader", "章伟清"))
    assert "只差一字" not in again  # only when the person is created
