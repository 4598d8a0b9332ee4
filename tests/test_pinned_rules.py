"""Rules of 分类定级 that once changed without any test failing, each pinned where it lives.

The rules are tested as functions (jcnian.grading, jcnian.ranking, the ledger reads and
steps); the CLI is driven only for its contract: exit codes and JSON fields, never whole
Chinese sentences, so rewording a message breaks no test here.
"""

import inspect
import subprocess
import sys
from collections import Counter
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledgerkit import FIRMS, RUBRIC, VILLAGES, copy_ledger, fill, js, session_of, within_quota
from sqlmodel import select

from jcnian.campaign import acceptance, plans
from jcnian.campaign.tables import GateOverride
from jcnian.gradebook import entry as grade_entry
from jcnian.gradebook import reads as gradebook
from jcnian.gradebook import steps as grade_steps
from jcnian.grading import (
    BANDS,
    TIE_ORDER,
    Grade,
    allowed_range,
    assess_total,
    check_quota,
    largest_remainder,
    round_score,
    satisfaction_rate,
    threshold_grade,
)
from jcnian.models import Branch
from jcnian.ranking import backward_cut, forced_bands

TOP, MIDDLE, BOTTOM = BANDS
VETO = RUBRIC.vetoes[1]  # 发生重大群体性事件或重大安全责任事故


def history(run, branch: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    return js(run("grade", "history", branch, "--format", "json"))["events"]  # type: ignore[index]


def by_branch(rows) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    return {r["branch"]: r for r in rows}


# --- 1. a satisfaction rate of exactly the minimum is not capped ----------------------------

# 90 % exactly, in both ballot forms; 70 + 20 is the case a float sum gets wrong
# (0.7 + 0.2 == 0.8999999999999999).
EXACTLY_90 = [
    {"好": 50, "较好": 40, "一般": 10},
    {"好": 70, "较好": 20, "一般": 6, "较差": 4},
    {"满意": 80, "基本满意": 10, "不满意": 10},
    {"好": 63, "一般": 7},
]


def test_the_default_minimum_is_exactly_nine_tenths_and_the_cap_is_average() -> None:
    assert RUBRIC.satisfaction_min == Fraction(9, 10)  # exact, not the float 0.9
    assert RUBRIC.satisfaction_cap is Grade.AVERAGE


@pytest.mark.parametrize("counts", EXACTLY_90, ids=lambda c: "+".join(f"{k}{v}" for k, v in c.items()))
@pytest.mark.parametrize(
    ("total", "grade"), [(90.0, Grade.GOOD), (96.5, Grade.GOOD), (85.0, Grade.FAIRLY_GOOD)]
)
def test_a_rate_of_exactly_the_minimum_keeps_the_grade(
    counts: dict[str, int], total: float, grade: Grade
) -> None:
    rate = satisfaction_rate(counts)
    assert rate == Fraction(9, 10)
    result = assess_total(total, RUBRIC, satisfaction=rate)
    assert (result.proposed, result.changes) == (grade, ())


def test_one_favourable_vote_fewer_is_capped() -> None:
    rate = satisfaction_rate({"好": 50, "较好": 39, "一般": 11})
    result = assess_total(96.0, RUBRIC, satisfaction=rate)
    assert result.proposed is Grade.AVERAGE and len(result.changes) == 1


def test_exactly_ninety_percent_through_the_ledger(seeded, db) -> None:  # type: ignore[no-untyped-def]
    scores = within_quota()
    scores[VILLAGES[4]] = 90.0  # exactly the 好 line, and exactly the satisfaction minimum
    fill(db, scores)
    for branch, counts in (
        (VILLAGES[0], EXACTLY_90[1]),
        (VILLAGES[1], EXACTLY_90[2]),
        (VILLAGES[4], EXACTLY_90[0]),
        (VILLAGES[2], {"好": 70, "较好": 19, "一般": 11}),  # 89 %
    ):
        ballot = seeded("grade", "ballot", branch, *(f"{k}={v}" for k, v in counts.items()))
        assert ballot.exit_code == 0, ballot.stderr
    rows = by_branch(js(seeded("grade", "compute", "--as-of", "2012-04-20", "--format", "json")))
    for branch in (VILLAGES[0], VILLAGES[1], VILLAGES[4]):
        assert (rows[branch]["proposed"], rows[branch]["changes"]) == ("好", []), branch
    assert rows[VILLAGES[4]]["score"] == 90.0
    assert rows[VILLAGES[2]]["proposed"] == "一般" and len(rows[VILLAGES[2]]["changes"]) == 1


# --- 2. largest remainder ----------------------------------------------------------------


def test_largest_remainder_signature_and_tie_order() -> None:
    params = inspect.signature(largest_remainder).parameters
    assert list(params) == ["n", "shares", "priority"]
    assert params["priority"].default == TIE_ORDER == (MIDDLE, TOP, BOTTOM)


def test_sixteen_branches_with_the_shares_in_another_order() -> None:
    # 16 × (0.6, 0.1, 0.3) = 9.6, 1.6, 4.8: 好+较好 takes a seat for 0.8, then 一般 and 较差
    # tie at 0.6 and the larger share (一般) takes the last one.
    shares = {MIDDLE: Fraction(3, 5), BOTTOM: Fraction(1, 10), TOP: Fraction(3, 10)}
    targets = largest_remainder(16, shares)
    assert targets == {MIDDLE: 10, BOTTOM: 1, TOP: 5}
    assert list(targets) == [MIDDLE, BOTTOM, TOP]  # in the order the shares were given


def test_equal_remainders_go_to_the_larger_share_before_the_tie_order() -> None:
    # 5 × (0.4, 0.1, 0.5) = 2, 0.5, 2.5: 一般 comes first in TIE_ORDER, but 较差's share is larger.
    shares = {TOP: Fraction(2, 5), MIDDLE: Fraction(1, 10), BOTTOM: Fraction(1, 2)}
    assert largest_remainder(5, shares) == {TOP: 2, MIDDLE: 0, BOTTOM: 3}


def test_equal_remainders_and_shares_follow_the_tie_order() -> None:
    thirds = {BOTTOM: Fraction(1, 3), TOP: Fraction(1, 3), MIDDLE: Fraction(1, 3)}
    assert largest_remainder(1, thirds) == {BOTTOM: 0, TOP: 0, MIDDLE: 1}
    assert largest_remainder(2, thirds) == {BOTTOM: 0, TOP: 1, MIDDLE: 1}
    # 好+较好 before 较差 when only those two tie.
    two = {BOTTOM: Fraction(2, 5), MIDDLE: Fraction(1, 5), TOP: Fraction(2, 5)}
    assert largest_remainder(1, two) == {BOTTOM: 0, MIDDLE: 0, TOP: 1}
    assert largest_remainder(1, thirds, priority=(BOTTOM, TOP, MIDDLE)) == {BOTTOM: 1, TOP: 0, MIDDLE: 0}


# --- 3. a one-branch category graded 一般 passes its own range -----------------------------


def test_one_branch_graded_average_passes_the_quota() -> None:
    check = check_quota([Grade.AVERAGE], RUBRIC.quota, RUBRIC.tolerance)
    assert check.ok and check.graded == 1
    assert {b.band: (b.target, b.min, b.max, b.actual) for b in check.bands} == {
        TOP: (0, 0, 0, 0),
        MIDDLE: (1, 1, 1, 1),  # (0.6 ± 0.05) × 1 holds no whole number: the target itself is allowed
        BOTTOM: (0, 0, 0, 0),
    }
    assert allowed_range(1, Fraction(3, 5), Fraction(1, 20), 1) == (1, 1)


def test_a_one_branch_category_does_not_block_approval(seeded, db) -> None:  # type: ignore[no-untyped-def]
    scores = within_quota()
    # Enterprises 5/9/1 once the last one (一般) has moved to a category of its own.
    scores[FIRMS[14]], scores[FIRMS[15]] = 40.0, 70.0
    fill(db, scores)
    moved = seeded("branch", "edit", FIRMS[15], "--category", "机关事业单位")
    assert moved.exit_code == 0, moved.stderr
    assert seeded("grade", "compute", "--as-of", "2012-04-20").exit_code == 0
    alone = js(seeded("grade", "quota", "--category", "机关事业单位", "--format", "json"))
    assert alone["ok"] is True and alone["graded"] == 1  # type: ignore[index]
    assert [(b["band"], b["actual"], b["ok"]) for b in alone["bands"]] == [  # type: ignore[index]
        (TOP, 0, True),
        (MIDDLE, 1, True),
        (BOTTOM, 0, True),
    ]
    overall = js(seeded("grade", "quota", "--format", "json"))
    assert overall["ok"] is True  # type: ignore[index]
    assert {c: v["ok"] for c, v in overall["categories"].items()} == dict.fromkeys(  # type: ignore[index]
        ("农村", "国有金融机构", "非公制企业", "机关事业单位"), True
    )
    assert seeded("grade", "deliberate", "--all", "--on", "2012-04-22").exit_code == 0
    approved = seeded("grade", "approve", "--all", "--on", "2012-04-25")
    assert approved.exit_code == 0, approved.stderr
    assert history(seeded, FIRMS[15])[-1]["step"] == "final"


# --- 4. a veto on a branch already 较差 changes nothing ------------------------------------


def test_a_veto_on_a_poor_score_records_no_change() -> None:
    for satisfaction in (None, Fraction(1, 2)):
        result = assess_total(50.0, RUBRIC, satisfaction=satisfaction, vetoes=[VETO])
        assert (result.threshold, result.proposed, result.changes) == (Grade.POOR, Grade.POOR, ())


def test_a_veto_on_a_poor_branch_adds_no_grade_event(computed, db) -> None:  # type: ignore[no-untyped-def]
    run, poor = computed, VILLAGES[15]
    with session_of(db) as session:
        grade_steps.deliberate(session, None, date(2012, 4, 22))
        grade_steps.approve(session, None, date(2012, 4, 25))
        before = [e.step for e in grade_steps.history(session, poor).events]
        assert before == ["proposed", "deliberated", "final"]
        grade_entry.set_veto(session, poor, VETO)
        assert grade_steps.compute(session, date(2012, 4, 26)).recorded == 0
        state = gradebook.grade_states(session)[
            session.exec(select(Branch.id).where(Branch.name == poor)).one()
        ]
        assert (state.proposed, state.final, state.changes) == (Grade.POOR, Grade.POOR, ())
    assert [e["step"] for e in history(run, poor)] == before
    row = by_branch(js(run("grade", "list", "--format", "json")))[poor]
    assert row["proposed"] == row["grade"] == "较差"
    assert sum("一票否决" in f for f in row["flags"]) == 1  # shown once, as a flag, not as a change
    assert not any("grade compute" in f for f in row["flags"])  # nothing to recompute


# --- 5. the backward list ranks like a competition: 1, 2, 2, 4 -----------------------------


def test_backward_ranks_skip_after_a_tie() -> None:
    low = [("a", 50.0), ("b", 55.0), ("c", 55.0), ("d", 58.0)]
    entries = low + [(f"x{i}", 70.0 + i) for i in range(12)]
    cut = backward_cut(entries, Fraction(1, 4))  # 16 × 25 % = 4
    assert [(c.key, c.rank, c.tie) for c in cut] == [
        ("a", 1, False),
        ("b", 2, False),
        ("c", 2, False),
        ("d", 4, False),
    ]
    # A tie at the cut after an earlier tie: 1, 2, 2, 4, 4, the last two brought in by the tie.
    entries = [("a", 50.0), ("b", 55.0), ("c", 55.0), ("d", 58.0), ("e", 58.0)] + [
        (f"x{i}", 70.0 + i) for i in range(11)
    ]
    assert [(c.key, c.rank, c.tie) for c in backward_cut(entries, Fraction(1, 4))] == [
        ("a", 1, False),
        ("b", 2, False),
        ("c", 2, False),
        ("d", 4, True),
        ("e", 4, True),
    ]


def test_backward_report_ranks_in_the_ledger(seeded, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rubric = tmp_path / "quarter.toml"
    text = gradebook.default_rubric_text()
    assert "ratio = 0.10" in text
    rubric.write_text(text.replace("ratio = 0.10", "ratio = 0.25"), encoding="utf-8")
    assert seeded("grade", "rubric", "set", str(rubric)).exit_code == 0
    scores = {name: 80.0 - i for i, name in enumerate(VILLAGES)}
    scores |= {VILLAGES[15]: 50.0, VILLAGES[14]: 55.0, VILLAGES[13]: 55.0, VILLAGES[12]: 58.0}
    fill(db, scores)
    data = js(seeded("grade", "backward", "--format", "json"))
    assert (data["count"], data["population"]) == (4, 16)  # type: ignore[index]
    assert [(e["branch"], e["rank"], e["tie"]) for e in data["entries"]] == [  # type: ignore[index]
        (VILLAGES[15], 1, False),
        (VILLAGES[13], 2, False),
        (VILLAGES[14], 2, False),
        (VILLAGES[12], 4, False),
    ]


# --- 6. grade suggest never proposes a band the quota leaves empty --------------------------


@settings(max_examples=150, deadline=None)
@given(
    scores=st.lists(st.integers(40, 100), min_size=0, max_size=12),
    vetoed=st.sets(st.integers(0, 11)),
)
def test_forced_bands_use_only_bands_with_places(scores: list[int], vetoed: set[int]) -> None:
    entries = [(i, float(s)) for i, s in enumerate(scores)]
    targets = largest_remainder(len(entries), RUBRIC.quota)
    placed = forced_bands(entries, targets, last=vetoed)
    used = Counter(p.band for p in placed if p.band is not None)
    for band, count in used.items():
        assert count <= targets[band], (band, targets)
    for p in placed:
        places = p.tie.places if p.tie else {p.band: 1}
        assert all(targets[band] >= n > 0 for band, n in places.items()), (p, targets)


def test_suggest_leaves_an_empty_band_empty(seeded, db) -> None:  # type: ignore[no-untyped-def]
    # Three graded villages: targets 1/2/0, so nobody is suggested 较差, not even the vetoed
    # one, nor the one whose score is below the 一般 line.
    fill(db, {VILLAGES[0]: 95.0, VILLAGES[1]: 70.0, VILLAGES[2]: 40.0})
    assert seeded("grade", "veto", VILLAGES[0], "群体性").exit_code == 0
    with session_of(db) as session:
        report = gradebook.suggest(session, "农村")
    assert report.targets == {TOP: 1, MIDDLE: 2, BOTTOM: 0}
    assert {e.branch: (e.band, e.suggested) for e in report.entries} == {
        VILLAGES[1]: (TOP, Grade.FAIRLY_GOOD),
        VILLAGES[2]: (MIDDLE, Grade.AVERAGE),
        VILLAGES[0]: (MIDDLE, Grade.AVERAGE),
    }
    data = js(seeded("grade", "suggest", "--category", "农村", "--format", "json"))
    assert data["targets"] == {TOP: 1, MIDDLE: 2, BOTTOM: 0}  # type: ignore[index]
    entries = by_branch(data["entries"])  # type: ignore[index]
    assert [entries[b]["suggested"] for b in VILLAGES[:3]] == ["一般", "较好", "一般"]
    assert entries[VILLAGES[0]]["vetoed"] is True
    assert not any(e["band"] == BOTTOM or e["suggested"] == "较差" for e in entries.values())
    assert len(data["ungraded"]) == 13  # type: ignore[index]


# --- 7. an --override is recorded only where a gate needed it -------------------------------


@pytest.fixture
def computed(run, db: str, proposed_template: Path):  # type: ignore[no-untyped-def]
    """Every branch scored within the quota and its proposal computed."""
    copy_ledger(proposed_template, db)
    return run


def _override_flags(run) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The 越过检查 flags of ``grade list``, by branch (branches without one left out)."""
    flags = {
        r["branch"]: [f for f in r["flags"] if "越过检查" in f]
        for r in js(run("grade", "list", "--format", "json"))
    }  # type: ignore[union-attr,index]
    return {branch: found for branch, found in flags.items() if found}


def test_an_override_that_no_gate_needed_is_not_recorded(computed) -> None:  # type: ignore[no-untyped-def]
    assert computed("grade", "deliberate", "--all", "--on", "2012-04-22").exit_code == 0
    approved = computed("grade", "approve", "--all", "--on", "2012-04-25", "--override", "不需要")
    assert approved.exit_code == 0, approved.stderr
    published = computed("grade", "publish", "--on", "2012-04-28", "--override", "不需要")
    assert published.exit_code == 0, published.stderr
    for branch in (VILLAGES[0], FIRMS[15]):
        events = history(computed, branch)
        assert [(e["step"], e["override"]) for e in events[-2:]] == [("final", None), ("published", None)]
    assert _override_flags(computed) == {}


def test_an_override_a_gate_needed_is_recorded(computed) -> None:  # type: ignore[no-untyped-def]
    # Not deliberated: approval needs the override.
    early = computed("grade", "approve", VILLAGES[0], "--on", "2012-04-25", "--override", "先行终定")
    assert early.exit_code == 0, early.stderr
    last = history(computed, VILLAGES[0])[-1]
    assert (last["step"], last["override"]) == ("final", "先行终定")
    # Thirty-one grades are still pending: publication needs the override too.
    published = computed("grade", "publish", "--on", "2012-04-28", "--override", "先公开已终定的")
    assert published.exit_code == 0, published.stderr
    last = history(computed, VILLAGES[0])[-1]
    assert (last["step"], last["override"]) == ("published", "先公开已终定的")
    assert list(_override_flags(computed)) == [VILLAGES[0]]


def test_an_override_is_recorded_only_on_the_branches_that_needed_it(computed) -> None:  # type: ignore[no-untyped-def]
    assert computed("grade", "deliberate", *VILLAGES[1:], *FIRMS, "--on", "2012-04-22").exit_code == 0
    approved = computed("grade", "approve", "--all", "--on", "2012-04-25", "--override", "五夫村先行终定")
    assert approved.exit_code == 0, approved.stderr  # the quota holds: only 五夫村 needed it
    assert history(computed, VILLAGES[0])[-1]["override"] == "五夫村先行终定"
    assert history(computed, VILLAGES[1])[-1]["override"] is None


def test_an_override_given_to_grade_change_is_not_recorded(computed) -> None:  # type: ignore[no-untyped-def]
    assert computed("grade", "deliberate", "--all", "--on", "2012-04-22").exit_code == 0
    assert computed("grade", "approve", "--all", "--on", "2012-04-25").exit_code == 0
    changed = computed(
        "grade",
        "change",
        VILLAGES[5],
        "较好",
        "--reason",
        "复核",
        "--override",
        "不需要",
        "--on",
        "2012-04-26",
    )
    assert changed.exit_code == 0, changed.stderr
    last = history(computed, VILLAGES[5])[-1]
    assert (last["step"], last["grade"], last["override"]) == ("changed", "较好", None)


def test_acceptance_records_an_override_only_where_a_gate_refused(computed, db) -> None:  # type: ignore[no-untyped-def]
    run, branch = computed, VILLAGES[2]
    with session_of(db) as session:
        grade_steps.deliberate(session, None, date(2012, 4, 22))
        grade_steps.approve(session, None, date(2012, 4, 25))
        plans.set_plan(session, branch, date(2012, 5, 6), plan="三项工程", override="不需要")
        for method in ("自查初评", "实地调查", "满意度测评", "组织评审"):
            rate = 0.93 if method == "满意度测评" else None
            acceptance.record_step(session, branch, method, date(2012, 8, 20), rate=rate, override="不需要")
    decided = run(
        "accept", "decide", branch, "--pass", "--grade", "较好", "--on", "2012-09-01", "--override", "不需要"
    )
    assert decided.exit_code == 0, decided.stderr
    with session_of(db) as session:
        assert session.exec(select(GateOverride)).all() == []
    assert js(run("accept", "report", "--as-of", "2012-09-30", "--format", "json"))["overrides"] == []  # type: ignore[index]
    last = history(run, branch)[-1]
    assert (last["step"], last["grade"], last["override"]) == ("regraded", "较好", None)
    # Before the window opens the step needs the override, and it is kept.
    other = VILLAGES[3]
    early = run("accept", "step", other, "自查初评", "--on", "2012-07-20", "--override", "提前自查")
    assert early.exit_code == 0, early.stderr
    overrides = js(run("accept", "report", "--as-of", "2012-09-30", "--format", "json"))["overrides"]  # type: ignore[index]
    assert [(o["branch"], o["gate"], o["reason"]) for o in overrides] == [(other, "accept-step", "提前自查")]


# --- 8. scores are read half up at two places ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (89.995, 90.0),  # binary 89.99499999…: round() and a plain floor give 89.99
        (0.125, 0.13),  # exact in binary: banker's rounding gives 0.12
        (0.375, 0.38),  # exact too: half-even would also round up here, half-down would not
        (2.675, 2.68),  # binary 2.67499999…: round() gives 2.67
        (1.005, 1.01),  # binary 1.00499999…: round() gives 1.0
        (79.995, 80.0),
        (59.995, 60.0),
        (100.0, 100.0),
        (0.0, 0.0),
        (89.994, 89.99),  # below the half stays down
        (0.1249, 0.12),
        (2.6749, 2.67),
        (0.3 * 90 + 0.2 * 90 + 0.2 * 90 + 0.3 * 90, 90.0),  # 89.99999999999999 in binary
    ],
)
def test_round_score_is_half_up_at_two_places(value: float, shown: float) -> None:
    assert round_score(value) == shown


def test_the_grade_lines_are_read_after_rounding() -> None:
    assert threshold_grade(89.995, RUBRIC.thresholds) is Grade.GOOD
    assert threshold_grade(79.995, RUBRIC.thresholds) is Grade.FAIRLY_GOOD
    assert threshold_grade(59.994, RUBRIC.thresholds) is Grade.POOR


# --- a fresh ledger holds every table ----------------------------------------------------


def test_load_all_tables_brings_in_every_area() -> None:
    """What ``db.ensure_schema`` creates in a process that has imported no other area's tables.

    A pytest process has imported them all, so this looks from a fresh interpreter. (When
    load_all_tables imported nothing, `jcnian init` in its own process created only the
    ledger's eight tables and the next `jcnian grade …` failed with "no such table".)
    """
    import jcnian.campaign.tables as campaign_tables
    import jcnian.gradebook.tables as grade_tables

    expected = {
        model.__tablename__
        for module in (grade_tables, campaign_tables)
        for model in vars(module).values()
        if getattr(model, "__table__", None) is not None and model.__module__ == module.__name__
    }
    assert {"rubric", "grade_event", "branch_plan", "acceptance_decision"} <= expected
    code = (
        "from jcnian import models\n"
        "models.load_all_tables()\n"
        "from sqlmodel import SQLModel\n"
        "print(' '.join(SQLModel.metadata.tables))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert sorted(expected - set(done.stdout.split())) == []
