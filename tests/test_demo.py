"""``jcnian demo``: a whole campaign on a fresh ledger, the same output every time.

The demo takes a few seconds, so it is played twice for the whole module: once by a plain
``jcnian demo`` in an empty folder (the README's quick start), once with ``--fresh`` over the
ledger that first run made. A ledger a clerk made is refused whatever the flags.
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jcnian.cli import app


@dataclass
class Played:
    folder: Path
    first: object
    refused: object  # the demo's own ledger again, without --fresh
    clerk: list[object]  # a clerk's ledger, without and with --fresh
    clerk_db: Path
    clerk_bytes: bytes
    fresh: object
    fresh_db: str


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    folder = tmp_path_factory.mktemp("demo")
    runner = CliRunner()
    old = Path.cwd()
    saved_env = os.environ.pop("JCNIAN_DB", None)
    os.chdir(folder)
    try:
        first = runner.invoke(app, ["demo"])
        other = folder / "other.db"
        assert runner.invoke(app, ["--db", str(other), "init"]).exit_code == 0
        before = other.read_bytes()
        clerk = [runner.invoke(app, ["--db", str(other), "demo", *flags]) for flags in ([], ["--fresh"])]
        refused = runner.invoke(app, ["demo"])
        fresh = runner.invoke(app, ["demo", "--fresh"])
        yield Played(folder, first, refused, clerk, other, before, fresh, str(folder / "jcnian.db"))
    finally:
        os.chdir(old)
        if saved_env is not None:
            os.environ["JCNIAN_DB"] = saved_env


def test_plain_demo_in_an_empty_folder_makes_its_ledger_there(played: Played) -> None:
    assert played.first.exit_code == 0, played.first.stderr  # type: ignore[attr-defined]
    assert (played.folder / "jcnian.db").exists()


def test_demo_twice_gives_the_same_output(played: Played) -> None:
    assert played.fresh.exit_code == 0, played.fresh.stderr  # type: ignore[attr-defined]
    assert played.first.stdout == played.fresh.stdout  # type: ignore[attr-defined]


def test_demo_shows_the_four_dates_grades_quota_backward_list_and_acceptance(played: Played) -> None:
    out = played.first.stdout  # type: ignore[attr-defined]
    for heading in (
        "进度总览：2012-04-20",
        "进度总览：2012-06-15",
        "进度总览：2012-08-15",
        "进度总览：2012-09-30",
    ):
        assert heading in out
    for table in (
        "分类定级结果",
        "等级比例检查",
        "后进党组织（农村倒排 2 个）",
        "问责对象候选",
        "总结验收报告",
    ):
        assert table in out
    assert "分类升级" in out and "未完成的整改" in out and "越序操作记录" in out
    # No wall-clock date leaks into the output: every date shown is in the campaign's year.
    assert set(re.findall(r"\b(\d{4})-\d\d-\d\d\b", out)) == {"2012"}


def test_the_demos_own_ledger_is_refused_with_the_way_out(played: Played) -> None:
    refused = played.refused
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    message = " ".join(refused.stderr.split())  # type: ignore[attr-defined]
    assert "上次演示的数据" in message and "--fresh" in message
    assert refused.stdout == ""  # type: ignore[attr-defined]


def test_a_clerks_ledger_is_never_emptied_whatever_the_flags(played: Played) -> None:
    for result in played.clerk:
        assert result.exit_code == 1  # type: ignore[attr-defined]
        message = " ".join(result.stderr.split())  # type: ignore[attr-defined]
        assert "不是演示生成的" in message and "--fresh 也不会清空" in message
        assert result.stdout == ""  # type: ignore[attr-defined]
    assert played.clerk_db.read_bytes() == played.clerk_bytes


def test_yes_is_no_longer_a_way_to_empty_a_ledger(played: Played) -> None:
    for flag in ("--yes", "-y"):
        result = CliRunner().invoke(app, ["--db", str(played.clerk_db), "demo", flag])
        assert result.exit_code == 2
    assert played.clerk_db.read_bytes() == played.clerk_bytes


def test_status_reads_the_demo_ledger(played: Played) -> None:
    status = CliRunner().invoke(
        app, ["--db", played.fresh_db, "status", "--as-of", "2012-09-30", "--format", "json"]
    )
    assert status.exit_code == 0, status.stderr
    assert '"phase": "总结验收"' in status.stdout and '"state": "进行中"' in status.stdout


def test_one_facts_pass_answers_status_overdue_and_lagging_as_each_alone(played: Played) -> None:
    """The monthly export reads the ledger once and asks all three for its day: the answers
    must be the ones ``jcnian status``, ``overdue`` and ``lagging`` give for that day."""
    from datetime import date

    from jcnian import db as storage
    from jcnian.campaign.dashboard import lagging, overdue, status
    from jcnian.campaign.facts import gather

    engine = storage.open_engine(played.fresh_db)
    try:
        with storage.transaction(engine) as session:
            facts = gather(session)
            for on in (date(2012, 6, 15), date(2012, 9, 30), date(2012, 6, 15)):
                assert overdue(session, on, facts=facts) == overdue(session, on)
                assert status(session, on, facts=facts) == status(session, on)
                assert lagging(session, on, facts=facts) == lagging(session, on)
            one = status(session, date(2012, 6, 15), "五夫村", facts=facts)
            assert one == status(session, date(2012, 6, 15), "五夫村")
            assert one.branch == "五夫村党总支" and one.checklist
    finally:
        engine.dispose()


def test_the_export_s_overdue_stream_is_overdue_and_status_of_that_day(played: Played) -> None:
    """The export makes the overdue items as it writes them (a city ledger has a million):
    the rows must be ``overdue``'s, and the phase counts of the same pass ``status``'s."""
    from datetime import date

    from jcnian import db as storage
    from jcnian.campaign.dashboard import overdue, overdue_stream, status
    from jcnian.campaign.facts import gather

    engine = storage.open_engine(played.fresh_db)
    try:
        with storage.transaction(engine, write=False) as session:
            facts = gather(session)
            for on in (date(2012, 4, 30), date(2012, 6, 30), date(2012, 9, 30)):
                phases: list[object] = []
                rows = list(overdue_stream(session, on, facts=facts, phases_out=phases))
                assert rows and rows == overdue(session, on)
                assert phases == status(session, on).phases
    finally:
        engine.dispose()


def test_the_ledger_check_and_wipe_live_in_the_domain(tmp_path: Path) -> None:
    """``prepare_ledger`` refuses a ledger with a campaign and, when fresh, deletes the file and
    its journals, but only a ledger the demo marked as its own; the command module only
    parses, calls and renders."""
    import ast

    from jcnian import db as storage
    from jcnian import demo as domain
    from jcnian.commands import demo as command
    from jcnian.errors import Conflict

    target = str(tmp_path / "busy.db")
    assert CliRunner().invoke(app, ["--db", target, "init"]).exit_code == 0
    for fresh in (False, True):
        with pytest.raises(Conflict, match="不是演示生成的"):
            domain.prepare_ledger(target, fresh=fresh)
    assert Path(target).exists()
    engine = storage.open_engine(target)
    with storage.transaction(engine) as session:
        domain.mark_as_demo(session)
    engine.dispose()
    Path(f"{target}-wal").write_bytes(b"")
    with pytest.raises(Conflict, match="上次演示"):
        domain.prepare_ledger(target, fresh=False)
    assert Path(target).exists()
    domain.prepare_ledger(target, fresh=True)
    assert not Path(target).exists() and not Path(f"{target}-wal").exists()
    domain.prepare_ledger(str(tmp_path / "none.db"), fresh=False)  # nothing there: nothing to do
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"a spreadsheet, not a ledger" * 200)
    with pytest.raises(Conflict, match="不是演示账本"):
        domain.prepare_ledger(str(junk), fresh=True)
    assert junk.read_bytes() == b"a spreadsheet, not a ledger" * 200
    source = Path(command.__file__).read_text(encoding="utf-8")
    imported = {
        n.module.split(".")[0] if isinstance(n, ast.ImportFrom) and n.module else a.name.split(".")[0]
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert not imported & {"sqlalchemy", "sqlmodel", "pathlib"}
