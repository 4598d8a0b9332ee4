"""The phase rules as pure functions: window states at the edges, months, gates and grade movement."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jcnian import phases
from jcnian.errors import InvalidInput
from jcnian.grading import Grade, movement
from jcnian.phases import ACTIVE, ENDED, NOT_STARTED, default_rules, default_windows

W = default_windows(2012)
R = default_rules(2012)


def d(text: str) -> date:
    return date.fromisoformat(f"2012-{text}")


def states(on: str) -> dict[str, str]:
    return {code: w.state(d(on)) for code, w in W.items()}


def test_phases_constant_keeps_the_seed_order_and_dates() -> None:
    assert [label for _c, label, *_ in phases.PHASES] == ["动员部署", "分类定级", "深入实施", "总结验收"]
    assert (W["mobilize"].start, W["mobilize"].end) == (d("03-01"), d("04-25"))
    assert (W["accept"].start, W["accept"].end) == (d("08-01"), d("09-30"))
    assert {"revisit": d("06-30"), "coverage": d("06-30")} == {k: R[k] for k in ("revisit", "coverage")}
    # The seed sets no date for these: defaults at least a month after the document (04-25).
    assert {k: R[k] for k in sorted(phases.DEFAULT_RULES)} == {
        "publicity": d("05-31"),
        "regulations": d("08-31"),
        "visit": d("08-31"),
    }


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("02-29", {"mobilize": NOT_STARTED, "classify": NOT_STARTED}),
        ("03-01", {"mobilize": ACTIVE, "classify": ACTIVE, "implement": NOT_STARTED}),
        ("04-25", {"mobilize": ACTIVE, "classify": ACTIVE}),
        ("04-26", {"mobilize": ENDED, "classify": ACTIVE}),
        ("04-30", {"classify": ACTIVE, "implement": NOT_STARTED}),
        ("05-01", {"classify": ENDED, "implement": ACTIVE}),
        ("07-31", {"implement": ACTIVE, "accept": NOT_STARTED}),
        ("08-01", {"implement": ACTIVE, "accept": ACTIVE}),
        ("08-31", {"implement": ACTIVE, "accept": ACTIVE}),
        ("09-01", {"implement": ENDED, "accept": ACTIVE}),
        ("09-30", {"accept": ACTIVE}),
        ("10-01", {"accept": ENDED, "mobilize": ENDED}),
    ],
)
def test_window_states_at_the_edges_are_inclusive(on: str, expected: dict[str, str]) -> None:
    got = states(on)
    assert {k: got[k] for k in expected} == expected


def test_overlapping_windows_are_both_under_way() -> None:
    # The seed starts grading in March, before mobilisation ends; and acceptance in August.
    assert [c for c, s in states("04-01").items() if s == ACTIVE] == ["mobilize", "classify"]
    assert [c for c, s in states("08-15").items() if s == ACTIVE] == ["implement", "accept"]


@given(
    start=st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    length=st.integers(0, 400),
    offset=st.integers(-500, 900),
)
def test_window_state_partitions_time(start: date, length: int, offset: int) -> None:
    end = start + timedelta(days=length)
    on = start + timedelta(days=offset)
    state = phases.window_state(start, end, on)
    assert (state == NOT_STARTED) == (on < start)
    assert (state == ENDED) == (on > end)
    assert (state == ACTIVE) == (start <= on <= end)


def test_phase_names_accept_labels_codes_and_the_seeds_other_name() -> None:
    assert phases.parse_phase("动员部署") == "mobilize"
    assert phases.parse_phase("accept") == "accept"
    assert phases.parse_phase("总结考评") == "accept"  # the seed's name in 二、
    assert phases.parse_phase("深入实施阶段") == "implement"
    with pytest.raises(InvalidInput, match="没有“收尾”这个阶段"):
        phases.parse_phase("收尾")


def test_a_window_may_not_end_before_it_starts() -> None:
    with pytest.raises(InvalidInput, match="早于开始日期"):
        phases.check_window("mobilize", d("04-25"), d("03-01"))
    phases.check_window("mobilize", d("04-25"), d("04-25"))  # one day is fine


def test_months_parse_and_fall_due_after_their_last_day() -> None:
    assert phases.parse_month("2012年5月") == "2012-05"
    assert phases.parse_month("2012-5") == "2012-05"
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        phases.parse_month("2012-13")
    assert phases.campaign_months(W) == [f"2012-{m:02d}" for m in range(3, 10)]
    assert phases.ended_months(["2012-05", "2012-06"], d("05-31")) == []
    assert phases.ended_months(["2012-05", "2012-06"], d("06-01")) == ["2012-05"]


def test_decision_gate_gives_every_reason() -> None:
    reasons = phases.decision_gate(
        on=d("07-30"),
        accept=W["accept"],
        has_final_grade=False,
        has_plan=False,
        methods_done=["自查初评"],
        backward=True,
        has_one_village=False,
        passing=True,
        open_rectification=d("09-20"),
    )
    text = "；".join(reasons)
    for part in ("08-01 才开始", "组织考评定级", "实施方案", "一村一策", "实地调查", "整改意见尚未完成"):
        assert part in text
    ok = phases.decision_gate(
        on=d("09-01"),
        accept=W["accept"],
        has_final_grade=True,
        has_plan=True,
        methods_done=phases.ACCEPTANCE_METHODS,
        backward=False,
        has_one_village=False,
        passing=True,
        open_rectification=None,
    )
    assert ok == []


def test_grade_movement() -> None:
    assert movement("一般", "较好") == "升级"
    assert movement(Grade.GOOD, "较好") == "降级"
    assert movement("一般", Grade.AVERAGE) == "持平"
    assert movement(None, "好") is None
    assert movement("优秀", "好") is None
