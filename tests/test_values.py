"""Domain values cannot be changed by whoever holds them: the rubric in force and grade states."""

import dataclasses
from datetime import date

import pytest

from jcnian import db as storage
from jcnian.data_files import default_rubric_text
from jcnian.gradebook import entry as grade_entry
from jcnian.gradebook import reads as gradebook
from jcnian.gradebook import steps as grade_steps
from jcnian.grading import Grade, parse_rubric


def test_a_parsed_rubric_cannot_be_changed() -> None:
    rubric = parse_rubric(default_rubric_text())
    with pytest.raises(dataclasses.FrozenInstanceError):
        rubric.satisfaction_min = 0  # type: ignore[misc]
    for mapping in (rubric.indicators, rubric.sources, rubric.raw_weights, rubric.quota):
        with pytest.raises(TypeError):
            mapping["新指标"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        rubric.thresholds[Grade.GOOD] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        del rubric.quota["较差"]  # type: ignore[attr-defined]
    assert isinstance(rubric.vetoes, tuple)
    stricter = dataclasses.replace(rubric, backward_ratio=rubric.backward_ratio * 2)
    assert (
        stricter.backward_ratio
        == 2 * rubric.backward_ratio
        != parse_rubric(default_rubric_text()).backward_ratio
    )


def test_the_cached_rubric_and_grade_states_cannot_be_changed(seeded, db) -> None:  # type: ignore[no-untyped-def]
    engine = storage.open_engine(db)
    with storage.transaction(engine) as session:
        rubric = gradebook.current_rubric(session)
        for source in rubric.sources:
            for indicator, full in rubric.indicators.items():
                grade_entry.enter_score(session, "五夫村", source, indicator, full)
        grade_entry.set_veto(session, "五夫村", rubric.vetoes[0])
        with pytest.raises(TypeError):
            gradebook.current_rubric(session).indicators["工作业绩"] = 100  # type: ignore[index]
        with pytest.raises(dataclasses.FrozenInstanceError):
            gradebook.current_rubric(session).tolerance = 1  # type: ignore[misc]
        assert gradebook.current_rubric(session) is rubric  # still the one cached, unchanged
        assert gradebook.current_rubric(session).indicators == parse_rubric(rubric.text).indicators

        computed = grade_steps.compute(session, date(2012, 4, 20))
        state = next(s for s in computed.states if s.name.startswith("五夫村"))
        assert state.recorded == (state.score, Grade.POOR.value)  # a new state, not the one read
        states = gradebook.grade_states(session, detail=True)
        state = states[state.branch_id]
        with pytest.raises(dataclasses.FrozenInstanceError):
            state.final = Grade.GOOD  # type: ignore[misc]
        with pytest.raises(TypeError):
            state.source_totals["群众初评"] = 0  # type: ignore[index]
        assert isinstance(state.flags, tuple) and isinstance(state.vetoes, tuple)
        incomplete = next(s for s in states.values() if s.missing)
        assert isinstance(incomplete.missing, tuple)
        moved = dataclasses.replace(state, final=Grade.AVERAGE)
        assert (moved.counted, state.counted) == (Grade.AVERAGE, Grade.POOR)
    engine.dispose()
