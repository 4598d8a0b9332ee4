"""The helpers that let a city's rows be held once (jcnian.compact)."""

from datetime import date

from jcnian.compact import Shared, folded


def test_folded_gives_one_value_per_run_of_a_key() -> None:
    rows = [(1, "a", 2), (1, "b", 3), (2, "c", 4), (5, "d", 1), (5, "e", 1)]
    assert folded(rows, lambda run: sum(r[2] for r in run)) == {1: 5, 2: 4, 5: 2}
    assert folded(iter(rows), lambda run: [r[1] for r in run]) == {1: ["a", "b"], 2: ["c"], 5: ["d", "e"]}
    assert folded([], len) == {}


def test_shared_returns_the_first_equal_value_seen() -> None:
    same = Shared()
    first, second = date(2012, 5, 10), date(2012, 5, 10)
    assert first is not second
    assert same(first) is first and same(second) is first
    a, b = same(("slogan", first)), same(("slogan", second))
    assert a is b and a == ("slogan", date(2012, 5, 10))
    assert same(date(2012, 5, 11)) is not first


def test_shared_by_key_makes_an_unhashable_value_once() -> None:
    same, made = Shared(), []

    def make(key: tuple[tuple[str, int], ...]) -> dict[str, int]:
        made.append(key)
        return dict(key)

    one = same.by((("final", 1),), make)
    assert same.by((("final", 1),), make) is one and one == {"final": 1}
    assert same.by((("final", 2),), make) == {"final": 2}
    assert made == [(("final", 1),), (("final", 2),)]
