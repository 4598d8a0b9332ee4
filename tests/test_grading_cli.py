"""分类定级 through the CLI and the ledger: entry, compute, steps, quota, suggest, backward."""

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledgerkit import fill, within_quota
from sqlalchemy import delete, insert
from sqlmodel import select

from jcnian import db as storage
from jcnian.data_files import default_rubric_text
from jcnian.errors import InvalidInput
from jcnian.gradebook import entry as grade_entry
from jcnian.gradebook import reads as gradebook
from jcnian.gradebook import steps as grade_steps
from jcnian.gradebook.tables import Deduction, GradeEvent, Score
from jcnian.grading import Grade, indicator_points, mean, parse_rubric, round_score
from jcnian.models import Branch
from jcnian.seed import default_seed_path, read_seed

SEED = [row.name for row in read_seed(default_seed_path())]
VILLAGES, FIRMS = SEED[:16], SEED[16:]
RUBRIC = parse_rubric(default_rubric_text())
ENTERED = datetime(2012, 4, 1, tzinfo=UTC)


def out_json(result) -> object:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def graded(seeded, db):  # type: ignore[no-untyped-def]
    fill(db, within_quota())
    result = seeded("grade", "compute", "--as-of", "2012-04-20")
    assert result.exit_code == 0, result.stderr
    return seeded


# --- rubric ---------------------------------------------------------------------------


def test_rubric_show_prints_the_default(seeded) -> None:  # type: ignore[no-untyped-def]
    data = out_json(seeded("grade", "rubric", "show", "--format", "json"))
    assert data["indicators"]["工作业绩"] == 20
    assert data["sources"]["群众初评"]["share"] == pytest.approx(0.3)
    toml = seeded("grade", "rubric", "show", "--toml")
    assert parse_rubric(toml.stdout).indicators == RUBRIC.indicators


def test_a_bad_rubric_file_changes_nothing(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text(default_rubric_text().replace('"工作业绩" = 20', '"工作业绩" = 25'), encoding="utf-8")
    result = seeded("grade", "rubric", "set", str(bad))
    assert result.exit_code == 1
    assert "bad.toml" in result.stderr and "合计为 105，应为 100" in result.stderr
    assert out_json(seeded("grade", "rubric", "show", "--format", "json"))["indicators"]["工作业绩"] == 20


def test_a_new_rubric_is_used_and_unchanged_one_is_a_no_op(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.toml"
    good.write_text(default_rubric_text().replace('"好" = 90', '"好" = 95'), encoding="utf-8")
    assert seeded("grade", "rubric", "set", str(good)).exit_code == 0
    assert out_json(seeded("grade", "rubric", "show", "--format", "json"))["thresholds"]["好"] == 95
    again = seeded("grade", "rubric", "set", str(good))
    assert "未作改动" in again.stderr


# --- entering scores ------------------------------------------------------------------


def test_score_entry_replaces_and_reports_the_old_value(seeded) -> None:  # type: ignore[no-untyped-def]
    first = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "18")
    assert first.exit_code == 0, first.stderr
    second = seeded("grade", "score", "五夫村", "-s", "组织", "-i", "业绩", "-p", "17")
    assert "原为 18" in second.stderr
    sheet = out_json(seeded("grade", "show", "五夫村", "--format", "json"))
    cell = next(c for c in sheet["cells"] if (c["source"], c["indicator"]) == ("组织考评", "工作业绩"))
    assert cell["points"] == 17


def test_bad_scores_are_refused(seeded) -> None:  # type: ignore[no-untyped-def]
    over = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作思路", "-p", "11")
    assert over.exit_code == 1 and "0 到 10" in over.stderr
    unknown = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "党建", "-p", "5")
    assert unknown.exit_code == 1 and "指标" in unknown.stderr
    both = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作思路", "-p", "5", "-d", "1")
    assert both.exit_code == 2


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_non_numbers_are_refused_in_chinese_not_as_an_internal_error(seeded, value: str) -> None:  # type: ignore[no-untyped-def]
    for option in (("-d", value, "--item", "x"), ("-p", value)):
        r = seeded("grade", "score", "二都村", "-s", "组织考评", "-i", "工作业绩", *option)
        assert r.exit_code == 2, r.stderr
        assert "内部错误" not in r.stderr and "不是有效的数字" in r.stderr and option[0] in r.stderr


def test_the_domain_refuses_nan_and_deductions_above_full_marks(seeded, db) -> None:  # type: ignore[no-untyped-def]
    engine = storage.open_engine(db)
    try:
        with storage.transaction(engine) as session:
            for bad in (float("nan"), float("inf")):
                with pytest.raises(InvalidInput, match="不是有效的数字"):
                    grade_entry.enter_deduction(session, "二都村", "组织考评", "工作业绩", bad, "x")
                with pytest.raises(InvalidInput, match="不是有效的数字"):
                    grade_entry.enter_score(session, "二都村", "组织考评", "工作业绩", bad)
    finally:
        engine.dispose()
    over = seeded("grade", "score", "二都村", "-s", "组织考评", "-i", "工作业绩", "-d", "500", "--item", "x")
    assert over.exit_code == 1 and "工作业绩" in over.stderr and "满分 20" in over.stderr
    assert out_json(seeded("grade", "show", "二都村", "--format", "json"))["cells"][-1]["deductions"] == []
    whole = seeded("grade", "score", "二都村", "-s", "组织考评", "-i", "工作业绩", "-d", "20", "--item", "x")
    assert whole.exit_code == 0, whole.stderr


@pytest.mark.parametrize("typed", ["１８", "18分", " 18 ", "１８ 分"])
def test_points_are_read_as_the_survey_import_reads_them(seeded, typed: str) -> None:  # type: ignore[no-untyped-def]
    r = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", typed)
    assert r.exit_code == 0, r.stderr
    sheet = out_json(seeded("grade", "show", "五夫村", "--format", "json"))
    cell = next(c for c in sheet["cells"] if (c["source"], c["indicator"]) == ("组织考评", "工作业绩"))
    assert cell["points"] == 18


def test_a_bad_points_value_names_the_option_in_chinese(seeded) -> None:  # type: ignore[no-untyped-def]
    r = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "十八")
    assert r.exit_code == 2 and "--points" in r.stderr and "“十八”不是数字" in r.stderr
    r = seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "80%")
    assert r.exit_code == 2 and "百分数" in r.stderr


def test_a_ballot_mixing_both_forms_is_refused_and_writes_nothing(seeded) -> None:  # type: ignore[no-untyped-def]
    assert seeded("grade", "ballot", "五夫村", "满意=9", "基本满意=1").exit_code == 0
    mixed = seeded("grade", "ballot", "五夫村", "满意=3", "好=2")
    assert mixed.exit_code == 1
    assert (
        "混用" in mixed.stderr
        and "好/较好/一般/较差" in mixed.stderr
        and "满意/基本满意/不满意" in mixed.stderr
    )
    assert out_json(seeded("grade", "show", "五夫村", "--format", "json"))["ballot"] == {
        "满意": 9,
        "基本满意": 1,
    }


def test_deductions_are_floored_at_zero(seeded) -> None:  # type: ignore[no-untyped-def]
    for item, points in (("台账不全", "12"), ("未按期换届", "12")):
        r = seeded(
            "grade", "score", "五夫村", "-s", "支部自评", "-i", "工作业绩", "-d", points, "--item", item
        )
        assert r.exit_code == 0, r.stderr
    sheet = out_json(seeded("grade", "show", "五夫村", "--format", "json"))
    cell = next(c for c in sheet["cells"] if (c["source"], c["indicator"]) == ("支部自评", "工作业绩"))
    assert cell["points"] == 0
    assert len(cell["deductions"]) == 2


def test_a_respondent_is_one_whichever_way_the_name_is_spaced(seeded) -> None:  # type: ignore[no-untyped-def]
    base = ("grade", "score", "五夫村", "-s", "群众初评", "-i", "工作思路")
    first = seeded(*base, "-p", "8", "-r", "张 三")
    assert first.exit_code == 0, first.stderr
    assert "（评分人 张三）" in first.stderr
    second = seeded(*base, "-p", "6", "-r", "张三")
    assert "原为 8" in second.stderr  # replaced, not a second respondent
    wide = seeded(*base, "-d", "2", "--item", "台账不全", "-r", "ＡＢ　１")  # full-width, U+3000
    assert "（评分人 AB1）" in wide.stderr
    again = seeded(*base, "-d", "3", "--item", "台账不全", "-r", "AB1")
    assert "原为 2" in again.stderr
    sheet = out_json(seeded("grade", "show", "五夫村", "--format", "json"))
    cell = next(c for c in sheet["cells"] if (c["source"], c["indicator"]) == ("群众初评", "工作思路"))
    assert cell["respondents"] == 2  # 张三 and AB1
    assert cell["points"] == (6 + 7) / 2  # AB1: full marks 10 less 3
    cleared = seeded(*base, "--clear", "-r", "张　三", "--yes")
    assert cleared.exit_code == 0 and "得分 6" in cleared.stderr


def test_the_rubric_is_parsed_once_per_session(seeded, db, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    parsed: list[str] = []

    def counting(text: str, origin: str = "评分办法"):  # type: ignore[no-untyped-def]
        parsed.append(origin)
        return parse_rubric(text, origin)

    monkeypatch.setattr(gradebook, "parse_rubric", counting)
    fill(db, within_quota())
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        for points in range(11):
            grade_entry.enter_score(
                session, "五夫村", "组织考评", "工作思路", points, respondent=f"r{points}"
            )
        grade_entry.enter_deduction(session, "五夫村", "组织考评", "工作业绩", 2, "台账不全")
        grade_entry.set_veto(session, "马慢桥", "群体性")
        grade_steps.compute(session, date(2012, 4, 20))
        assert len(parsed) == 1
        # Setting a rubric makes it the one in force at once, without parsing it again.
        stricter = grade_entry.set_rubric(
            session, default_rubric_text().replace('"好" = 90', '"好" = 95'), "新办法.toml"
        )
        assert gradebook.current_rubric(session).thresholds[Grade.GOOD] == 95
        grade_steps.compute(session, date(2012, 4, 21))
        newest = session.exec(select(GradeEvent).order_by(GradeEvent.id.desc())).first()  # type: ignore[union-attr]
        assert newest is not None and newest.rubric_id == gradebook.current_rubric_id(session)
        assert stricter.changed and len(parsed) == 1
    with storage.transaction(engine) as session:
        assert gradebook.current_rubric(session).thresholds[Grade.GOOD] == 95
    engine.dispose()
    assert len(parsed) == 2  # once more for the second session


def test_respondents_are_averaged(seeded, db) -> None:  # type: ignore[no-untyped-def]
    scores = within_quota()
    fill(db, scores)
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        bid = session.exec(select(Branch.id).where(Branch.name == SEED[0])).one()
        session.execute(
            delete(Score).where(Score.branch_id == bid, Score.source == "群众初评")  # type: ignore[arg-type]
        )
        rows = [
            {
                "branch_id": bid,
                "source": "群众初评",
                "indicator": ind,
                "respondent": who,
                "points": pts * full,
            }
            for ind, full in RUBRIC.indicators.items()
            for who, pts in (("问卷1", 0.5), ("问卷2", 0.7), ("问卷3", 0.9))
        ]
        session.execute(insert(Score), rows)
    engine.dispose()
    listed = out_json(seeded("grade", "list", "--format", "json"))
    # 群众初评 mean is 70 % of 100; the other sources keep 96.
    assert listed[0]["score"] == round(0.3 * 70 + 0.7 * scores[SEED[0]], 2)


def test_an_incomplete_branch_is_listed_with_what_is_missing(seeded, db) -> None:  # type: ignore[no-untyped-def]
    fill(db, within_quota(), skip_source={SEED[1]: "党员评议"})
    computed = seeded("grade", "compute", "--format", "json")
    row = next(r for r in out_json(computed) if r["branch"] == SEED[1])
    assert row["score"] is None and row["proposed"] is None
    assert row["missing"] == ["缺党员评议"]
    assert "未定级" in computed.stderr
    listed = next(r for r in out_json(seeded("grade", "list", "--format", "json")) if r["branch"] == SEED[1])
    assert listed["score"] is None and listed["proposed"] is None
    assert any("缺党员评议" in f for f in listed["flags"])


def test_list_json_contract(graded) -> None:  # type: ignore[no-untyped-def]
    rows = out_json(graded("grade", "list", "--format", "json"))
    assert len(rows) == 32
    assert all(
        list(r) == ["branch", "category", "score", "proposed", "grade", "flags", "scope"] for r in rows
    )
    assert rows[0] == {
        "branch": SEED[0],
        "category": "农村",
        "score": 96.0,
        "proposed": "好",
        "grade": None,
        "flags": [],
        "scope": None,
    }


def test_list_csv_headers_are_the_rubric_source_names(graded) -> None:  # type: ignore[no-untyped-def]
    lines = graded("grade", "list", "--format", "csv").stdout.splitlines()
    assert lines[0] == "branch,category," + ",".join(RUBRIC.sources) + ",score,proposed,grade,flags,scope"
    assert lines[0].split(",")[2:6] == ["群众初评", "党员评议", "支部自评", "组织考评"]
    assert lines[1].startswith(f"{SEED[0]},农村,96.00,")


def test_list_table_draws_the_distribution(graded) -> None:  # type: ignore[no-untyped-def]
    table = graded("grade", "list", "--category", "农村")
    assert table.exit_code == 0
    assert "等级分布" in table.stdout and "5/5（允许 4–5）符合" in table.stdout


def test_compute_again_records_nothing_new(graded) -> None:  # type: ignore[no-untyped-def]
    again = graded("grade", "compute")
    assert "新记录 0 条" in again.stderr
    events = out_json(graded("grade", "history", SEED[0], "--format", "json"))["events"]
    assert [e["step"] for e in events] == ["proposed"]


def test_cap_and_veto_from_the_cli(graded) -> None:  # type: ignore[no-untyped-def]
    assert graded("grade", "ballot", SEED[0], "好=50", "较好=30", "较差=20").exit_code == 0
    assert graded("grade", "veto", SEED[1], "群体性").exit_code == 0
    rows = {r["branch"]: r for r in out_json(graded("grade", "list", "--format", "json"))}
    assert rows[SEED[0]]["proposed"] == "一般"
    assert any("80.0%" in f for f in rows[SEED[0]]["flags"])
    assert rows[SEED[1]]["proposed"] == "较差"
    assert any("一票否决" in f for f in rows[SEED[1]]["flags"])
    assert any("grade compute 之后有变动" in f for f in rows[SEED[1]]["flags"])


# --- quota ----------------------------------------------------------------------------


def test_quota_json_contract_for_the_seed(graded) -> None:  # type: ignore[no-untyped-def]
    data = out_json(graded("grade", "quota", "--format", "json"))
    assert list(data) == ["ok", "graded", "bands", "categories"]
    assert data["ok"] is True and data["graded"] == 32
    assert [(b["band"], b["target"], b["actual"]) for b in data["bands"]] == [
        ("好+较好", 10, 10),
        ("一般", 19, 19),
        ("较差", 3, 3),
    ]
    assert list(data["bands"][0]) == ["band", "target_share", "target", "min", "max", "actual", "ok"]
    assert data["bands"][0]["target_share"] == 0.3
    assert list(data["categories"]) == ["农村", "国有金融机构", "非公制企业", "机关事业单位"]
    assert data["categories"]["国有金融机构"] == {
        "ok": True,
        "graded": 0,
        "bands": [
            {"band": b, "target_share": s, "target": 0, "min": 0, "max": 0, "actual": 0, "ok": True}
            for b, s in (("好+较好", 0.3), ("一般", 0.6), ("较差", 0.1))
        ],
    }
    village = out_json(graded("grade", "quota", "--category", "农村", "--format", "json"))
    assert [b["target"] for b in village["bands"]] == [5, 10, 1]  # 一般/较差 tie → 一般
    assert list(village["categories"]) == ["农村"]


def test_quota_failure_exits_1(graded) -> None:  # type: ignore[no-untyped-def]
    graded("grade", "veto", SEED[0], "群体性")
    graded("grade", "veto", SEED[1], "群体性")
    result = graded("grade", "quota")
    assert result.exit_code == 1
    assert "不符" in result.stdout


def test_quota_with_nothing_graded_is_a_failed_check(seeded) -> None:  # type: ignore[no-untyped-def]
    table = seeded("grade", "quota")
    assert table.exit_code == 1
    assert "尚无已定级的党组织" in table.stderr and "结论：符合" not in table.stderr
    result = seeded("grade", "quota", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["graded"] == 0


def test_help_explains_the_tie_rule(seeded) -> None:  # type: ignore[no-untyped-def]
    assert "比例大的档优先" in seeded("grade", "quota", "--help").stdout


# --- the steps ------------------------------------------------------------------------


def test_approval_needs_deliberation_and_a_reason_for_changes(graded) -> None:  # type: ignore[no-untyped-def]
    early = graded("grade", "approve", "--all", "--on", "2012-04-25")
    assert early.exit_code == 1 and "尚未经群众党员会议审议" in early.stderr
    assert graded("grade", "deliberate", "--all", "--on", "2012-04-18").exit_code == 0
    no_reason = graded("grade", "approve", SEED[5], "--grade", "好", "--on", "2012-04-25")
    assert no_reason.exit_code == 1 and "--reason" in no_reason.stderr
    ok = graded("grade", "approve", "--all", "--on", "2012-04-25")
    assert ok.exit_code == 0, ok.stderr
    rows = out_json(graded("grade", "list", "--format", "json"))
    assert all(r["grade"] == r["proposed"] for r in rows)


def test_a_list_failing_the_quota_needs_override_which_is_recorded(graded) -> None:  # type: ignore[no-untyped-def]
    graded("grade", "deliberate", "--all", "--on", "2012-04-18")
    moved = graded(
        "grade", "deliberate", SEED[6], "-g", "好", "--reason", "会议认为应升级", "--on", "2012-04-18"
    )
    assert moved.exit_code == 0, moved.stderr
    refused = graded("grade", "approve", "--all", "--on", "2012-04-25")
    assert refused.exit_code == 1
    assert "农村：好+较好 实有 6 个，允许 4–5 个（目标 5）" in refused.stderr
    assert out_json(graded("grade", "list", "--format", "json"))[0]["grade"] is None  # nothing written
    done = graded("grade", "approve", "--all", "--on", "2012-04-25", "--override", "镇党委会议研究决定")
    assert done.exit_code == 0, done.stderr
    events = out_json(graded("grade", "history", SEED[6], "--format", "json"))["events"]
    assert [e["step"] for e in events] == ["proposed", "deliberated", "deliberated", "final"]
    assert events[2]["reason"] == "会议认为应升级"
    assert events[-1]["override"] == "镇党委会议研究决定" and events[-1]["grade"] == "好"


def test_publication_and_changes_after_it(graded) -> None:  # type: ignore[no-untyped-def]
    graded("grade", "deliberate", "--all", "--on", "2012-04-18")
    graded("grade", "approve", "--all", "--on", "2012-04-25")
    assert graded("grade", "publish", "--on", "2012-04-28").exit_code == 0
    again = graded("grade", "publish", "--on", "2012-04-28")
    assert "已公开 0 个" in again.stderr  # re-running never duplicates
    assert (
        graded("grade", "change", SEED[0], "较好", "--on", "2012-05-03").exit_code == 2
    )  # --reason required
    changed = graded("grade", "change", SEED[0], "较好", "--reason", "复核扣分", "--on", "2012-05-03")
    assert changed.exit_code == 0 and "重新公开" in changed.stderr
    row = out_json(graded("grade", "list", "--format", "json"))[0]
    assert row["grade"] == "较好" and "公开后等级有改动，尚未重新公开" in row["flags"]
    history = out_json(graded("grade", "history", SEED[0], "--format", "json"))
    assert [e["step"] for e in history["events"]] == [
        "proposed",
        "deliberated",
        "final",
        "published",
        "changed",
    ]
    assert history["initial"] == "好" and history["final"] == "较好" and history["movement"] == "降级"
    republished = graded("grade", "publish", "--on", "2012-05-04")
    assert "已公开 1 个" in republished.stderr
    assert "不在分类定级阶段（2012-03-01 至 2012-04-30）内" in republished.stderr


def test_regrade_after_acceptance_is_in_the_history(graded, db) -> None:  # type: ignore[no-untyped-def]
    graded("grade", "deliberate", "--all", "--on", "2012-04-18")
    graded("grade", "approve", "--all", "--on", "2012-04-25")
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        bid = session.exec(select(Branch.id).where(Branch.name == VILLAGES[15])).one()
        change = grade_steps.record_regrade(
            session, bid, Grade.AVERAGE, date(2012, 9, 20), "验收合格，整改到位"
        )
        assert change.before is Grade.POOR and change.recorded
        again = grade_steps.record_regrade(
            session, bid, Grade.AVERAGE, date(2012, 9, 20), "验收合格，整改到位"
        )
        assert not again.recorded
        state = gradebook.grade_states(session)[bid]
        assert (state.initial, state.final) == (Grade.POOR, Grade.AVERAGE)
        assert session.exec(select(GradeEvent).where(GradeEvent.step == "regraded")).all()
    engine.dispose()
    history = out_json(graded("grade", "history", VILLAGES[15], "--format", "json"))
    assert history["events"][-1]["step"] == "regraded"
    assert history["movement"] == "升级"


# --- suggest and backward -------------------------------------------------------------


def test_suggest_shows_ties_across_a_cut(seeded, db) -> None:  # type: ignore[no-untyped-def]
    scores = within_quota()
    scores[VILLAGES[4]] = scores[VILLAGES[5]] = 85.0  # places 5 and 6 of the villages: the top cut
    fill(db, scores)
    data = out_json(seeded("grade", "suggest", "--category", "农村", "--format", "json"))
    assert data["targets"] == {"好+较好": 5, "一般": 10, "较差": 1}
    tied = [e for e in data["entries"] if e["score"] == 85.0]
    assert len(tied) == 2
    assert all(e["band"] is None and e["suggested"] is None for e in tied)
    assert all(e["tie"] == "并列：2 个同分，争 好+较好 1 个、一般 1 个" for e in tied)
    table = seeded("grade", "suggest", "--category", "农村")
    assert "并列" in table.stdout


def test_backward_list_takes_ten_percent_of_villages_with_ties(seeded, db) -> None:  # type: ignore[no-untyped-def]
    scores = within_quota()
    scores[VILLAGES[14]] = scores[VILLAGES[13]] = 55.0  # tie at the second place from the bottom
    fill(db, scores)
    data = out_json(seeded("grade", "backward", "--format", "json"))
    assert data["count"] == 2 and data["population"] == 16
    assert [(e["branch"], e["tie"]) for e in data["entries"]] == [
        (VILLAGES[15], False),
        (VILLAGES[13], True),
        (VILLAGES[14], True),
    ]
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        entries = gradebook.backward_list(session)
    engine.dispose()
    assert [e.name for e in entries] == [VILLAGES[15], VILLAGES[13], VILLAGES[14]]


# --- the SQL aggregate agrees with the pure rules -------------------------------------

cell = st.tuples(
    st.lists(st.integers(0, 10), min_size=0, max_size=3),  # respondents' points (% of full)
    st.lists(st.integers(1, 8), min_size=0, max_size=2),  # deductions on the collective score
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(cell, min_size=28, max_size=28),
    collective=st.lists(st.booleans(), min_size=28, max_size=28),
)
def test_sql_totals_match_the_pure_rules(seeded, db, cells, collective) -> None:  # type: ignore[no-untyped-def]
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        bid = session.exec(select(Branch.id).where(Branch.name == SEED[0])).one()
        session.execute(delete(Score))
        session.execute(delete(Deduction))
        expected = 0.0
        pairs = [(s, i, f) for s in RUBRIC.sources for i, f in RUBRIC.indicators.items()]
        for (source, indicator, full), (answers, cuts), whole in zip(pairs, cells, collective, strict=True):
            people = (
                [("", full)]
                if whole or not answers
                else [(f"r{k}", full * a / 10) for k, a in enumerate(answers)]
            )
            for who, points in people:
                session.add(
                    Score(branch_id=bid, source=source, indicator=indicator, respondent=who, points=points)
                )
            for k, cut in enumerate(cuts):
                session.add(
                    Deduction(
                        branch_id=bid,
                        source=source,
                        indicator=indicator,
                        respondent="",
                        item=f"i{k}",
                        points=cut,
                    )
                )
            # Deductions belong to the collective respondent "": with no collective score it is
            # one more respondent, starting from full marks.
            given: dict[str, float | None] = dict(people)
            if cuts:
                given.setdefault("", None)
            values = [
                indicator_points(full, points, cuts if who == "" else []) for who, points in given.items()
            ]
            expected += RUBRIC.sources[source] * mean(values)
        state = gradebook.grade_states(session)[bid]
        sheet = grade_entry.score_sheet(session, bid)
        session.rollback()
    engine.dispose()
    # The SQL over every branch, the one-branch rule of `grade show`, and the rule's parts agree.
    assert state.score == sheet["score"] == round_score(expected)


def test_the_command_module_imports_no_database_code() -> None:
    code = "import sys, jcnian.commands.grade; print('sqlalchemy' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


# --- one name rule for hand entry and the survey import -----------------------------------


@pytest.mark.parametrize(
    ("typed", "source"), [("组织", "组织考评"), ("评议", "党员评议"), (" 组织考评 ", "组织考评")]
)
def test_survey_import_and_grade_score_accept_the_same_source_spellings(  # type: ignore[no-untyped-def]
    seeded, db, tmp_path: Path, typed: str, source: str
) -> None:
    by_hand = seeded("grade", "score", "五夫村", "-s", typed, "-i", "工作思路", "-p", "9")
    assert by_hand.exit_code == 0 and f"{source} / 工作思路" in by_hand.stderr
    path = tmp_path / "wide.csv"
    path.write_text("党组织,工作思路,业绩\n二都村,8,17\n", encoding="utf-8")
    imported = seeded("survey", "import", str(path), "--source", typed)
    assert imported.exit_code == 0, imported.stderr
    sheet = out_json(seeded("grade", "show", "二都村", "--format", "json"))
    got = {(c["source"], c["indicator"]): c["points"] for c in sheet["cells"] if c["points"] is not None}
    assert got == {(source, "工作思路"): 8, (source, "工作业绩"): 17}


def test_an_ambiguous_source_is_refused_alike_with_the_candidates(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    by_hand = seeded("grade", "score", "五夫村", "-s", "评", "-i", "工作思路", "-p", "9")
    assert by_hand.exit_code == 1 and "对应多个评价主体" in by_hand.stderr and "群众初评" in by_hand.stderr
    path = tmp_path / "wide.csv"
    path.write_text("党组织,工作思路\n二都村,8\n", encoding="utf-8")
    imported = seeded("survey", "import", str(path), "--source", "评")
    assert imported.exit_code == 1
    assert "对应多个评价主体" in imported.stderr and "群众初评" in imported.stderr
    unknown = seeded("survey", "import", str(path), "--source", "群众评议")
    assert unknown.exit_code == 1 and "评价主体“群众评议”不在评分办法中" in unknown.stderr
