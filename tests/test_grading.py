"""The pure rules of 分类定级: rubric, thresholds, caps, vetoes, quota, ranking, backward list."""

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jcnian.data_files import default_rubric_text
from jcnian.errors import InvalidInput
from jcnian.grading import (
    BANDS,
    Grade,
    assess,
    check_quota,
    indicator_points,
    largest_remainder,
    parse_ballot_option,
    parse_grade,
    parse_rubric,
    round_score,
    satisfaction_rate,
    threshold_grade,
)
from jcnian.ranking import backward_cut, forced_bands

RUBRIC = parse_rubric(default_rubric_text())
SEED_SHARES = RUBRIC.quota
TOP, MIDDLE, BOTTOM = BANDS


def _totals(score: float) -> dict[str, float]:
    """Every source gives the same total, so the weighted score is that total."""
    return {source: score for source in RUBRIC.sources}


# --- grades and ballots -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grade"),
    [("好", Grade.GOOD), (" 较好 ", Grade.FAIRLY_GOOD), ("average", Grade.AVERAGE), ("POOR", Grade.POOR)],
)
def test_parse_grade_accepts_chinese_and_english(text: str, grade: Grade) -> None:
    assert parse_grade(text) is grade


def test_parse_grade_rejects_anything_else_with_the_choices() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_grade("优秀")
    assert "好/较好/一般/较差" in err.value.message


def test_ballot_options_and_satisfaction_rate() -> None:
    assert parse_ballot_option("satisfied") == "满意"
    assert satisfaction_rate({"好": 50, "较好": 30, "一般": 15, "较差": 5}) == Fraction(4, 5)
    assert satisfaction_rate({"满意": 150, "基本满意": 30, "不满意": 20}) == Fraction(9, 10)
    assert satisfaction_rate({"好": 0}) is None  # no votes: no cap


# --- rubric ---------------------------------------------------------------------------


def test_default_rubric_has_the_seed_indicators_in_order() -> None:
    assert list(RUBRIC.indicators) == [
        "党组织带头人",
        "工作思路",
        "工作制度",
        "活动阵地",
        "保障机制",
        "工作业绩",
        "群众评价",
    ]
    assert RUBRIC.total_points == 100
    assert list(RUBRIC.sources) == ["群众初评", "党员评议", "支部自评", "组织考评"]
    assert sum(RUBRIC.sources.values()) == pytest.approx(1)
    assert RUBRIC.quota == {TOP: Fraction(3, 10), MIDDLE: Fraction(3, 5), BOTTOM: Fraction(1, 10)}
    assert RUBRIC.backward_ratio == Fraction(1, 10)


def test_weights_are_normalised() -> None:
    text = (
        default_rubric_text()
        .replace('"群众初评" = 0.3', '"群众初评" = 3')
        .replace('"党员评议" = 0.2', '"党员评议" = 2')
    )
    text = text.replace('"支部自评" = 0.2', '"支部自评" = 2').replace('"组织考评" = 0.3', '"组织考评" = 3')
    rubric = parse_rubric(text)
    assert rubric.sources == pytest.approx(
        {"群众初评": 0.3, "党员评议": 0.2, "支部自评": 0.2, "组织考评": 0.3}
    )
    assert rubric.raw_weights["群众初评"] == 3


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('"工作业绩" = 20', '"工作业绩" = 15', "合计为 95，应为 100"),
        ('"党员评议" = 0.2', '"党员评议" = -0.2', "权重应为正数"),
        ('"较差" = 0.10', '"较差" = 0.20', "三档比例合计为 1.1，应为 1"),
        ('"好" = 90', '"好" = 70', "好 > 较好 > 一般"),
        ("[backward]", "[backwards]", "无法识别的表 [backwards]"),
    ],
)
def test_a_bad_rubric_is_refused_with_the_reason(old: str, new: str, reason: str) -> None:
    text = default_rubric_text()
    assert old in text
    with pytest.raises(InvalidInput) as err:
        parse_rubric(text.replace(old, new), "my.toml")
    assert err.value.message.startswith("my.toml")
    assert any(reason in p for p in err.value.problems), err.value.problems


def test_every_problem_is_reported_at_once() -> None:
    text = (
        default_rubric_text()
        .replace('"工作业绩" = 20', '"工作业绩" = 15')
        .replace("ratio = 0.10", "ratio = 0")
    )
    with pytest.raises(InvalidInput) as err:
        parse_rubric(text)
    assert len(err.value.problems) == 2


def test_not_toml_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_rubric("[indicators\n", "x.toml")
    assert "不是有效的 TOML" in err.value.message


# --- scores and grades ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, Grade.GOOD),
        (90, Grade.GOOD),
        (89.99, Grade.FAIRLY_GOOD),
        (80, Grade.FAIRLY_GOOD),
        (79.99, Grade.AVERAGE),
        (60, Grade.AVERAGE),
        (59.99, Grade.POOR),
        (0, Grade.POOR),
    ],
)
def test_threshold_edges(score: float, grade: Grade) -> None:
    assert threshold_grade(score, RUBRIC.thresholds) is grade
    assert assess(_totals(score), RUBRIC).proposed is grade


def test_scores_are_read_at_two_places_half_up() -> None:
    assert round_score(89.995) == 90.0
    assert threshold_grade(89.995, RUBRIC.thresholds) is Grade.GOOD
    assert threshold_grade(89.994, RUBRIC.thresholds) is Grade.FAIRLY_GOOD
    # 0.3×90 + 0.2×90 + 0.2×90 + 0.3×90 is 89.99999999999999 in binary floating point.
    assert assess(_totals(90.0), RUBRIC).score == 90.0


def test_deductions_are_floored_at_zero_per_indicator() -> None:
    assert indicator_points(20, None, [3, 2]) == 15
    assert indicator_points(20, None, [15, 15]) == 0
    assert indicator_points(20, 12, [5]) == 7  # deducted from the points given


def test_low_satisfaction_caps_good_grades_with_the_reason() -> None:
    result = assess(_totals(95), RUBRIC, satisfaction=Fraction(89, 100))
    assert result.threshold is Grade.GOOD
    assert result.proposed is Grade.AVERAGE
    assert "89.0%" in result.changes[0] and "90.0%" in result.changes[0]


def test_satisfaction_exactly_at_the_minimum_is_not_capped() -> None:
    assert assess(_totals(95), RUBRIC, satisfaction=Fraction(9, 10)).proposed is Grade.GOOD


def test_the_cap_never_raises_a_grade() -> None:
    result = assess(_totals(50), RUBRIC, satisfaction=Fraction(1, 2))
    assert result.proposed is Grade.POOR
    assert result.changes == ()


def test_veto_makes_poor_directly_after_the_cap() -> None:
    result = assess(
        _totals(95), RUBRIC, satisfaction=Fraction(1, 2), vetoes=["换届选举中出现严重违规违法问题"]
    )
    assert result.proposed is Grade.POOR
    assert len(result.changes) == 2
    assert "一票否决" in result.changes[1]


# --- quota ----------------------------------------------------------------------------


def test_seed_targets() -> None:
    assert largest_remainder(32, SEED_SHARES) == {TOP: 10, MIDDLE: 19, BOTTOM: 3}


def test_village_tie_goes_to_the_larger_share() -> None:
    # 16 × (0.3, 0.6, 0.1) = 4.8, 9.6, 1.6: one seat to 好+较好 (0.8), then 一般 and 较差 tie
    # at 0.6 and the larger share (一般) takes the last seat.
    assert largest_remainder(16, SEED_SHARES) == {TOP: 5, MIDDLE: 10, BOTTOM: 1}


def test_equal_shares_and_remainders_prefer_the_middle_band() -> None:
    shares = {TOP: Fraction(1, 5), MIDDLE: Fraction(2, 5), BOTTOM: Fraction(2, 5)}
    assert largest_remainder(1, shares) == {TOP: 0, MIDDLE: 1, BOTTOM: 0}


@pytest.mark.parametrize("n", [0, 1, 2, 3, 32])
def test_small_counts(n: int) -> None:
    targets = largest_remainder(n, SEED_SHARES)
    assert sum(targets.values()) == n
    assert all(t >= 0 for t in targets.values())


shares_strategy = (
    st.lists(st.integers(min_value=0, max_value=20), min_size=3, max_size=3)
    .filter(any)
    .map(lambda w: {band: Fraction(x, sum(w)) for band, x in zip(BANDS, w, strict=True)})
)


@settings(max_examples=200, deadline=None)
@given(
    n=st.one_of(st.sampled_from([0, 1, 2, 3, 32]), st.integers(0, 2000)),
    shares=shares_strategy,
    seed=st.integers(),
)
def test_largest_remainder_properties(n: int, shares: dict[str, Fraction], seed: int) -> None:
    targets = largest_remainder(n, shares)
    assert sum(targets.values()) == n
    for band, share in shares.items():
        assert targets[band] >= 0
        assert abs(targets[band] - share * n) < 1
    shuffled = list(shares.items())
    random.Random(seed).shuffle(shuffled)
    assert largest_remainder(n, dict(shuffled)) == targets


def test_quota_check_for_the_seed() -> None:
    grades = [Grade.GOOD] * 4 + [Grade.FAIRLY_GOOD] * 6 + [Grade.AVERAGE] * 19 + [Grade.POOR] * 3
    check = check_quota(grades, SEED_SHARES, RUBRIC.tolerance)
    assert check.ok and check.graded == 32
    assert [(b.target, b.min, b.max, b.actual) for b in check.bands] == [
        (10, 8, 11, 10),
        (19, 18, 20, 19),
        (3, 2, 4, 3),
    ]
    failing = check_quota([Grade.GOOD] * 20 + [Grade.AVERAGE] * 12, SEED_SHARES, RUBRIC.tolerance)
    assert not failing.ok
    assert [b.ok for b in failing.bands] == [False, False, False]


def test_quota_of_nothing_is_empty_not_an_error() -> None:
    check = check_quota([], SEED_SHARES, RUBRIC.tolerance)
    assert check.ok and check.graded == 0
    assert all(b.target == b.actual == 0 for b in check.bands)


# --- forced distribution and backward list --------------------------------------------


def test_forced_bands_by_rank() -> None:
    entries = [("a", 95.0), ("b", 70.0), ("c", 88.0), ("d", 40.0)]
    placed = {p.key: p.band for p in forced_bands(entries, {TOP: 1, MIDDLE: 2, BOTTOM: 1})}
    assert placed == {"a": TOP, "c": MIDDLE, "b": MIDDLE, "d": BOTTOM}


def test_a_tie_across_a_cut_is_shown_not_split() -> None:
    entries = [("a", 95.0), ("b", 85.0), ("c", 85.0), ("d", 40.0)]
    placed = {p.key: p for p in forced_bands(entries, {TOP: 2, MIDDLE: 1, BOTTOM: 1})}
    assert placed["a"].band == TOP and placed["d"].band == BOTTOM
    for key in ("b", "c"):
        assert placed[key].band is None
        assert placed[key].tie is not None
        assert placed[key].tie.size == 2 and placed[key].tie.places == {TOP: 1, MIDDLE: 1}
        assert placed[key].rank == 2


def test_vetoed_branches_rank_last() -> None:
    entries = [("a", 95.0), ("b", 70.0), ("c", 60.0)]
    placed = {p.key: p.band for p in forced_bands(entries, {TOP: 1, MIDDLE: 1, BOTTOM: 1}, last={"a"})}
    assert placed == {"b": TOP, "c": MIDDLE, "a": BOTTOM}


@settings(max_examples=150, deadline=None)
@given(scores=st.lists(st.integers(50, 60), min_size=0, max_size=40))
def test_forced_bands_never_split_ties(scores: list[int]) -> None:
    entries = [(i, float(s)) for i, s in enumerate(scores)]
    targets = largest_remainder(len(entries), SEED_SHARES)
    placed = forced_bands(entries, targets)
    assert sorted(p.key for p in placed) == list(range(len(entries)))
    by_score: dict[float, set[str | None]] = {}
    for p in placed:
        by_score.setdefault(p.score, set()).add(p.band)
    assert all(len(bands) == 1 for bands in by_score.values())
    for band in BANDS:
        assert sum(p.band == band for p in placed) <= targets[band]


@pytest.mark.parametrize(("n", "count"), [(16, 2), (15, 2), (14, 1), (4, 0), (5, 1)])
def test_backward_count_rounds_half_up(n: int, count: int) -> None:
    entries = [(i, float(50 + i)) for i in range(n)]
    cut = backward_cut(entries, Fraction(1, 10))
    assert [c.key for c in cut] == list(range(count))
    assert not any(c.tie for c in cut)


def test_backward_ties_at_the_cut_are_included_and_marked() -> None:
    entries = [("a", 50.0), ("b", 60.0), ("c", 60.0), ("d", 70.0)] + [(f"x{i}", 80.0 + i) for i in range(12)]
    cut = backward_cut(entries, Fraction(1, 10))  # 16 × 10% = 1.6 → 2
    assert [(c.key, c.tie, c.rank) for c in cut] == [("a", False, 1), ("b", True, 2), ("c", True, 2)]


def test_backward_uses_the_whole_category_for_the_count() -> None:
    entries = [(i, float(50 + i)) for i in range(10)]
    assert len(backward_cut(entries, Fraction(1, 10), population=16)) == 2


def test_each_rubric_check_returns_problems_and_the_default_has_none() -> None:
    import tomllib

    from jcnian.grading import RUBRIC_CHECKS, check_indicators, rubric_problems
    from jcnian.problems import Problem

    doc = tomllib.loads(default_rubric_text())
    assert rubric_problems(doc) == []
    assert all(check(doc) == [] for check in RUBRIC_CHECKS)
    doc["indicators"]["工作业绩"] = 15
    assert check_indicators(doc) == [Problem(None, "[indicators] 各项满分合计为 95，应为 100。")]
    assert [str(p) for p in rubric_problems(doc)] == ["[indicators] 各项满分合计为 95，应为 100。"]
