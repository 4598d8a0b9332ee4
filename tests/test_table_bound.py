"""A table of many rows is bounded and says how to get the rest; JSON and CSV stay complete.

Drawing a Rich table of 20,000 rows takes seconds per thousand: every table output stops at
``common.TABLE_MAX`` rows (a long list at its own ``--limit`` default), whichever command
draws it.
"""

import csv
import io
import json
import re

from jcnian.commands.common import TABLE_MAX

MANY = TABLE_MAX + 30


def _ledger_of_many(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seed = tmp_path / "many.csv"
    lines = ["name,form,category,leader,cadre,remarks"]
    lines += [f"第{i:04d}村党支部,党支部,农村,,," for i in range(1, MANY + 1)]
    seed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    made = run("init", "--from", str(seed))
    assert made.exit_code == 0, made.stderr


def _shown(stdout: str) -> set[str]:
    return set(re.findall(r"第\d{4}村党支部", stdout))


def test_a_table_of_many_rows_stops_at_the_bound_and_says_how_to_get_the_rest(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ledger_of_many(run, tmp_path)
    for command in (("branch", "list"), ("grade", "list"), ("grade", "compute", "--as-of", "2012-04-20")):
        table = run(*command)
        assert table.exit_code == 0, table.stderr
        assert len(_shown(table.stdout)) == TABLE_MAX, command
        assert "第0001村党支部" in table.stdout
        assert f"另有 {MANY - TABLE_MAX} 项未列出" in table.stderr, command
        assert "--format csv" in table.stderr, command


def test_json_and_csv_give_every_row(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ledger_of_many(run, tmp_path)
    for command in (("branch", "list"), ("grade", "list")):
        data = run(*command, "--format", "json")
        assert len(json.loads(data.stdout)) == MANY, command
        assert "未列出" not in data.stderr
        rows = list(csv.DictReader(io.StringIO(run(*command, "--format", "csv").stdout)))
        assert len(rows) == MANY, command


def test_limit_shows_more_or_all_of_a_long_table(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ledger_of_many(run, tmp_path)
    assert len(_shown(run("grade", "list", "--limit", "0").stdout)) == MANY
    few = run("grade", "list", "--limit", "7")
    assert len(_shown(few.stdout)) == 7
    assert f"另有 {MANY - 7} 项未列出" in few.stderr and "--limit 0" in few.stderr
    assert len(json.loads(run("grade", "list", "--limit", "7", "--format", "json").stdout)) == 7
