"""Many campaigns in one ledger (towns × years): choosing one, adding one, carrying one forward,
and — the point of it all — no command of one campaign seeing another's rows."""

import functools
import json
import shutil

import pytest
from ledgerkit import copy_ledger
from openpyxl import load_workbook
from typer.testing import CliRunner

from jcnian import db as storage
from jcnian import demo
from jcnian.cli import app

A, B = "驿亭镇/2012", "东关镇/2012"


def _run(db: str, *args: str, campaign: str | None = None):  # type: ignore[no-untyped-def]
    head = ["--db", db] + (["--campaign", campaign] if campaign else [])
    return CliRunner().invoke(app, [*head, *args])


def _json(db: str, *args: str, campaign: str | None = None, exits: tuple[int, ...] = (0,)):  # type: ignore[no-untyped-def]
    result = _run(db, *args, "--format", "json", campaign=campaign)
    assert result.exit_code in exits, result.stderr
    return json.loads(result.stdout)


# --- choosing ------------------------------------------------------------------------


@pytest.fixture
def two_towns(seeded, db: str):  # type: ignore[no-untyped-def]
    result = seeded("init", "--town", "东关镇", "--year", "2012")
    assert result.exit_code == 0, result.stderr
    return seeded


def test_init_adds_a_campaign_to_an_existing_ledger(two_towns, db: str) -> None:
    listed = _json(db, "campaign", "list")
    assert [(c["key"], c["branches"]) for c in listed] == [(B, 32), (A, 32)]


def test_init_again_changes_nothing_and_partial_names_are_refused(two_towns, db: str) -> None:
    assert two_towns("init").exit_code == 0
    assert two_towns("init", "--town", "东关镇", "--year", "2012").exit_code == 0
    assert two_towns("init", "--town", "北山镇").exit_code == 1  # no year: nothing guessed
    assert len(_json(db, "campaign", "list")) == 2


def test_several_campaigns_and_none_chosen_is_refused_with_the_list(two_towns) -> None:
    result = two_towns("branch", "list")
    assert result.exit_code == 1
    assert A in result.stderr and B in result.stderr
    assert result.stdout == ""


def test_the_campaign_is_chosen_by_option_or_environment(two_towns, db: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert _run(db, "branch", "edit", "五夫村", "--remarks", "东关", campaign=B).exit_code == 0
    monkeypatch.setenv("JCNIAN_CAMPAIGN", B)
    assert _json(db, "branch", "show", "五夫村")["remarks"] == "东关"
    monkeypatch.delenv("JCNIAN_CAMPAIGN")
    assert _json(db, "branch", "show", "五夫村", campaign=A)["remarks"] is None


@pytest.mark.parametrize("key", ["驿亭镇/2099", "驿亭镇", "/2012"])
def test_an_unknown_or_malformed_campaign_is_refused(two_towns, db: str, key: str) -> None:
    result = _run(db, "status", campaign=key)
    assert result.exit_code == 1
    assert "驿亭镇/2012" in result.stderr or "镇名/年份" in result.stderr


def test_one_campaign_needs_no_choosing(seeded) -> None:
    assert seeded("branch", "list").exit_code == 0


# --- carrying forward -------------------------------------------------------------------


def test_campaign_new_carries_the_organisation_not_the_records(seeded, db: str) -> None:
    assert seeded("branch", "alias", "耀华", "耀华管桩").exit_code == 0
    assert seeded("secretary", "set", "五夫村", "王伟", "--on", "2012-03-01").exit_code == 0
    assert (
        seeded("problem", "add", "五夫村", "阵地不足", "--source", "座谈会", "--on", "2012-04-12").exit_code
        == 0
    )
    assert seeded("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "10").exit_code == 0
    result = seeded("campaign", "new", "--town", "驿亭镇", "--year", "2013", "--from", A)
    assert result.exit_code == 0, result.stderr
    new = "驿亭镇/2013"
    assert _json(db, "branch", "list", campaign=new) == _json(db, "branch", "list", campaign=A)
    assert _json(db, "people", "list", campaign=new) == _json(db, "people", "list", campaign=A)
    assert _json(db, "branch", "show", "耀华管桩", campaign=new)["name"].startswith("浙江耀华")
    assert [s["branch"] for s in _json(db, "secretary", "list", campaign=new)] == [
        s["branch"] for s in _json(db, "secretary", "list", campaign=A)
    ]
    assert _run(db, "grade", "rubric", "show", "--toml", campaign=new).stdout == (
        _run(db, "grade", "rubric", "show", "--toml", campaign=A).stdout
    )
    assert _json(db, "problem", "list", campaign=new) == []
    assert all(
        row["score"] is None and row["grade"] is None for row in _json(db, "grade", "list", campaign=new)
    )
    windows = _json(db, "campaign", "show", campaign=new)["windows"]
    assert all(w["start"].startswith("2013") for w in windows)


def test_campaign_new_refuses_an_existing_campaign_and_an_unknown_source(seeded) -> None:
    assert seeded("campaign", "new", "--town", "驿亭镇", "--year", "2012", "--from", A).exit_code == 1
    assert (
        seeded("campaign", "new", "--town", "驿亭镇", "--year", "2013", "--from", "驿亭镇/2011").exit_code
        == 1
    )


# --- isolation ----------------------------------------------------------------------------

# Every read a clerk or a script makes of a campaign, as JSON (or text where it has none).
READS = [
    ("status", "--as-of", "2012-06-30"),
    ("status", "五夫村", "--as-of", "2012-09-30"),
    ("overdue", "--as-of", "2012-07-15"),
    ("lagging", "--as-of", "2012-07-15"),
    ("branch", "list"),
    ("people", "list"),
    ("campaign", "show", "--as-of", "2012-06-30"),
    ("grade", "list"),
    ("grade", "list", "--as-of", "2012-05-31"),
    ("grade", "quota"),
    ("grade", "suggest"),
    ("grade", "history", "五夫村"),
    ("grade", "show", "五夫村"),
    ("problem", "list"),
    ("project", "list"),
    ("report", "missing", "--as-of", "2012-07-01"),
    ("coverage", "show", "--as-of", "2012-07-01"),
    ("accept", "report", "--as-of", "2012-11-30"),
    ("pledge", "list"),
    ("pledge", "coverage"),
    ("deed", "list"),
    ("secretary", "list"),
    ("training", "missing", "--as-of", "2012-06-01"),
    ("group", "list"),
    ("economy", "pairs"),
    ("publicity", "usage"),
    ("survey", "log"),
]


@pytest.fixture(scope="module")
def ledgers(demo_ledger: str, tmp_path_factory):  # type: ignore[no-untyped-def]
    """alone: the demo's campaign A; both: A and another town's demo B (other seed, the same
    branch names); b_alone: B by itself. Equal reads across them mean no campaign sees another."""
    folder = tmp_path_factory.mktemp("campaigns")
    alone, both, b_alone = (str(folder / n) for n in ("alone.db", "both.db", "b.db"))
    shutil.copy(demo_ledger, alone)
    copy_ledger(alone, both)
    for path in (both, b_alone):
        engine = storage.open_engine(path, create=True)
        with storage.transaction(engine) as session:
            demo.play(session, seed=7, town="东关镇")
        engine.dispose()
    return alone, both, b_alone


def _without_ids(value: object) -> object:
    """Row ids differ between ledgers by construction; everything else must not."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


@functools.cache
def _reads(db: str, campaign: str) -> dict[str, object]:
    """Read once per ledger and campaign (the module's ledgers are only read; a test that
    writes reads its own copy)."""
    # exit 1 is a check's "not passed" (overdue items, quota missed), with its JSON all the same
    return {" ".join(args): _without_ids(_json(db, *args, campaign=campaign, exits=(0, 1))) for args in READS}


def test_no_read_of_one_campaign_sees_the_others_rows(ledgers) -> None:  # type: ignore[no-untyped-def]
    alone, both, b_alone = ledgers
    assert _reads(both, A) == _reads(alone, A)
    assert _reads(both, B) == _reads(b_alone, B)
    assert _reads(both, A) != _reads(both, B)  # the comparison can fail: the two differ


def test_the_workbook_and_notice_of_one_campaign_ignore_the_other(ledgers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    alone, both, _ = ledgers

    def cells(db: str) -> dict[str, list[tuple[object, ...]]]:
        out = tmp_path / f"{len(list(tmp_path.iterdir()))}.xlsx"
        assert _run(db, "export", "xlsx", "--month", "2012-06", "-o", str(out), campaign=A).exit_code == 0
        book = load_workbook(out, read_only=True)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}

    assert cells(both) == cells(alone)
    notice = [_run(db, "notice", "--month", "2012-06", campaign=A).stdout for db in (alone, both)]
    assert notice[0] == notice[1] and notice[0]


def test_a_write_to_one_campaign_leaves_the_other_alone(ledgers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, both, _ = ledgers
    db = str(tmp_path / "w.db")
    copy_ledger(both, db)
    before = _reads(both, A)
    for args in (
        ("problem", "add", "五夫村", "新问题", "--source", "座谈会", "--on", "2012-04-12"),
        ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-d", "3", "--item", "台账不全"),
        ("grade", "compute", "--as-of", "2012-04-20"),
        ("branch", "remove", "马慢桥", "--yes"),
    ):
        result = _run(db, *args, campaign=B)
        assert result.exit_code in (0, 1), result.stderr  # a gate may refuse; nothing of A moves
    assert _reads.__wrapped__(db, A) == before


# --- the change log (留痕) of one campaign ------------------------------------------------


def test_each_write_is_logged_under_its_own_campaign(two_towns, db: str) -> None:
    assert _run(db, "branch", "edit", "五夫村", "--remarks", "东关", campaign=B).exit_code == 0
    assert _run(db, "branch", "edit", "五夫村", "--remarks", "驿亭", campaign=A).exit_code == 0
    commands = {key: [e["command"] for e in _json(db, "log", campaign=key)] for key in (A, B)}
    assert any("驿亭" in c for c in commands[A]) and not any("东关" in c for c in commands[A])
    assert any("东关" in c for c in commands[B]) and not any("驿亭" in c for c in commands[B])
    assert any("init" in c for c in commands[B])  # the campaign's own init, not A's


def test_the_log_of_one_campaign_lists_none_of_the_others_entries(ledgers) -> None:  # type: ignore[no-untyped-def]
    alone, both, _ = ledgers
    mine = _json(both, "log", campaign=A)
    assert mine == _json(alone, "log", campaign=A)  # B's entries, all newer, are not there
    theirs = _json(both, "log", campaign=B)
    assert theirs and {e["id"] for e in theirs}.isdisjoint(e["id"] for e in mine)
    whole = _json(both, "log", "--whole-ledger")  # the city's audit: every campaign's entries
    assert sorted(e["id"] for e in whole) == sorted(e["id"] for e in mine + theirs)
    unchosen = _run(both, "log")
    assert unchosen.exit_code == 1 and "--whole-ledger" in unchosen.stderr
    refused = _run(both, "log", "show", str(mine[0]["id"]), campaign=B)
    assert refused.exit_code == 1 and "另一个活动" in refused.stderr and refused.stdout == ""
    assert _run(both, "log", "show", str(mine[0]["id"]), "--whole-ledger", campaign=B).exit_code == 0
    assert _run(both, "log", "show", str(mine[0]["id"]), campaign=A).exit_code == 0


def test_a_log_from_before_schema_8_is_attributed_to_its_campaigns_by_the_upgrade(ledgers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    _, both, _ = ledgers
    old = str(tmp_path / "v7.db")
    copy_ledger(both, old)
    for args, campaign in (  # entries that name no campaign or branch of their own, and a branch gone
        (("project", "progress", "五夫村/一村一策整顿转化", "70", "--on", "2012-07-31"), A),
        (
            ("grade", "score", "马慢桥", "-s", "组织考评", "-i", "工作业绩", "-d", "3", "--item", "台账不全"),
            B,
        ),
        (("branch", "remove", "马慢桥", "--yes"), B),
    ):
        result = _run(old, *args, campaign=campaign)
        assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(old)
    as_written = conn.execute("SELECT id, campaign_id FROM change_log ORDER BY id").fetchall()
    assert all(c is not None for _, c in as_written)
    conn.executescript(  # the same ledger as schema 7 kept it: no campaign in its log
        "DROP INDEX ix_change_log_campaign_id; ALTER TABLE change_log DROP COLUMN campaign_id;"
        "UPDATE meta SET value = '7' WHERE key = 'schema_version'; UPDATE alembic_version SET version_num = 'v7';"
    )
    conn.close()
    logs = {key: _json(both, "log", campaign=key) for key in (A, B)}
    upgraded = _run(old, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.stderr
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT id, campaign_id FROM change_log ORDER BY id").fetchall() == as_written
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):  # the guard is back
        conn.execute("UPDATE change_log SET campaign_id = NULL")
    conn.close()
    for key in (A, B):  # the entries made before the three writes, as the log lists them
        assert _json(old, "log", campaign=key)[-len(logs[key]) :] == logs[key]
    assert _json(old, "check")["problems"] == []  # the chain verifies


def test_an_entry_belongs_to_the_one_campaign_its_rows_name() -> None:
    from jcnian.changelog import campaign_of

    campaigns = {("branch_id", 3): 1, ("branch_id", 4): 2, ("project_id", 8): 2}

    def branches(column: str, ids: list[int]) -> set[int]:
        return {campaigns[(column, i)] for i in ids if (column, i) in campaigns}

    def change(table: str, **image: object) -> dict[str, object]:
        return {"table": table, "op": "insert", "key": {}, "before": None, "after": image}

    assert campaign_of([change("campaign", id=5, town="东关镇")], branches, None) == 5
    assert campaign_of([change("phase_window", campaign_id=2)], branches, 9) == 2
    assert campaign_of([change("score", branch_id=3), change("score", branch_id=3)], branches, None) == 1
    assert (
        campaign_of([change("branch", id=4, campaign_id=2), change("liaison", branch_id=4)], branches, 1) == 2
    )
    assert (
        campaign_of([change("phase_window", campaign_id=1), change("branch", campaign_id=2)], branches, 1)
        is None
    )
    assert (
        campaign_of([{"table": "score", "op": "insert", "rows": 5000}], branches, 7) == 7
    )  # a bulk statement
    assert campaign_of([change("category", name="农村")], branches, None) is None  # ledger-wide
    assert campaign_of([change("progress_update", project_id=8)], branches, 1) == 2  # through its project
    assert campaign_of([change("score", branch_id=3), change("score", branch_id=4)], branches, 1) is None
    assert campaign_of([change("score", branch_id=99), change("score", branch_id=4)], branches, 1) == 2
