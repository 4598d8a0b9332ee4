"""The same ledger on PostgreSQL (issue 16): the demo reads the same on both backends, the
change log is the same and append-only there too, a dump moves a ledger from SQLite to
PostgreSQL exactly, and no message ever shows a URL's password.

Every test here needs the session's throw-away cluster (tests/pgcluster.py) and skips,
saying why, where none can be started.
"""

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ledgerkit import copy_ledger
from typer.testing import CliRunner

from jcnian.changelog import canonical
from jcnian.cli import app

SECRET = "Sekr1t-pw"
READS = (
    ("grade", "list", "--format", "json"),
    ("grade", "quota", "--format", "json"),
    ("status", "--as-of", "2012-12-31", "--format", "json"),
    ("status", "--as-of", "2012-06-15", "--format", "json"),
)


def invoke(db: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", db, *args])


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


@pytest.fixture(scope="module")
def demo_pg(pg_cluster) -> str:  # type: ignore[no-untyped-def]
    url = pg_cluster.url(pg_cluster.new_database())
    result = invoke(url, "demo")
    assert result.exit_code == 0, result.stderr
    return url


def test_the_demo_reads_the_same_on_both_backends(demo_pg: str, demo_ledger: str, tmp_path: Path) -> None:
    for args in READS:
        on_sqlite, on_pg = invoke(demo_ledger, *args), invoke(demo_pg, *args)
        assert on_sqlite.exit_code == on_pg.exit_code, (args, on_sqlite.stderr, on_pg.stderr)
        assert on_sqlite.exit_code in (0, 1) and on_sqlite.stdout, (
            args,
            on_sqlite.stderr,
        )  # quota: 1 off target
        assert json.loads(on_pg.stdout) == json.loads(on_sqlite.stdout), args
    for month in ("2012-05", "2012-09"):
        books = []
        for name, db in (("sqlite", demo_ledger), ("pg", demo_pg)):
            target = tmp_path / f"{name}-{month}.xlsx"
            result = invoke(db, "export", "xlsx", "--month", month, "-o", str(target))
            assert result.exit_code == 0, result.stderr
            books.append(cells(target))
        assert books[0] == books[1], month


def _changes(db: str) -> list[list[dict[str, Any]]]:
    entries = json.loads(invoke(db, "log", "--format", "json").stdout)
    shown = [json.loads(invoke(db, "log", "show", str(e["id"]), "--format", "json").stdout) for e in entries]
    return [s["changes"] for s in reversed(shown)]  # oldest first


DAY = (
    ("liaison", "set", "鲁溪闸村", "--cadre", "许胜和"),
    ("branch", "add", "驿亭镇农村信用社党支部", "--category", "国有金融机构"),
    ("branch", "edit", "马慢桥", "--remarks", "村名补全"),
    ("problem", "add", "五夫村", "活动阵地面积不足", "--source", "座谈会", "--on", "2012-04-12"),
    ("grade", "score", "五夫村", "-s", "组织考评", "-i", "工作业绩", "-p", "14.4"),
    ("grade", "ballot", "五夫村", "好=120", "较好=60", "一般=15", "较差=5"),
    ("grade", "compute", "--as-of", "2012-04-20"),
    ("mobilize", "meeting", "五夫村", "--on", "2012-04-10", "--attendance", "46"),
    ("branch", "remove", "五洲村", "--yes"),
)


def test_the_change_log_holds_the_same_rows_on_both_backends(pg_cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sqlite_db, pg_db = str(tmp_path / "day.db"), pg_cluster.url(pg_cluster.new_database())
    for db in (sqlite_db, pg_db):
        assert invoke(db, "init").exit_code == 0
        for args in DAY:
            result = invoke(db, *args)
            assert result.exit_code == 0, (db, args, result.stderr)
    on_sqlite, on_pg = _changes(sqlite_db), _changes(pg_db)
    assert len(on_pg) == len(on_sqlite) >= len(DAY) and all(on_pg)
    for a, b in zip(on_sqlite, on_pg, strict=True):
        # The moments a row was written (at, entered_at, created_at…) differ between the two
        # runs, and the rows a cascade removed come in another order (SQLite: the children
        # first); the rows are the same.
        assert sorted(map(canonical, _without_times(a))) == sorted(map(canonical, _without_times(b)))
    assert invoke(pg_db, "check").exit_code == 0


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if k != "at" and not k.endswith("_at")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_the_log_on_postgresql_refuses_update_delete_and_truncate(pg_cluster, seeded_pg: str) -> None:  # type: ignore[no-untyped-def]
    import psycopg
    from sqlalchemy.engine import make_url

    assert invoke(seeded_pg, "liaison", "set", "鲁溪闸村", "--cadre", "许胜和").exit_code == 0
    url = make_url(seeded_pg)
    for sql in ("UPDATE change_log SET \"by\" = 'x'", "DELETE FROM change_log", "TRUNCATE change_log"):
        with (
            psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database) as conn,
            pytest.raises(psycopg.errors.RaiseException, match="append-only"),
        ):
            conn.execute(sql)  # type: ignore[arg-type]
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as conn:
        conn.execute("ALTER TABLE change_log DISABLE TRIGGER change_log_append_only")  # a superuser's hand
        conn.execute("UPDATE change_log SET \"by\" = '别人' WHERE id = (SELECT MAX(id) FROM change_log)")
    result = invoke(seeded_pg, "check", "--format", "json")
    assert result.exit_code == 1
    assert any(p["check"] == "log_chain" for p in json.loads(result.stdout)["problems"])


@pytest.fixture
def seeded_pg(pg_cluster, templates) -> str:  # type: ignore[no-untyped-def]
    def build(target: str) -> None:
        assert invoke(target, "init").exit_code == 0

    url = pg_cluster.url(pg_cluster.new_database())
    copy_ledger(templates("seeded", "postgresql", build), url)
    return url


def test_dump_from_sqlite_loads_into_postgresql_and_dumps_the_same(
    pg_cluster, demo_ledger: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    first, second, third = (tmp_path / f"{n}.jsonl" for n in ("sqlite", "pg", "back"))
    assert invoke(demo_ledger, "dump", str(first)).exit_code == 0
    pg_db = pg_cluster.url(pg_cluster.new_database())
    loaded = invoke(pg_db, "load", str(first))
    assert loaded.exit_code == 0, loaded.stderr
    assert invoke(pg_db, "dump", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    assert invoke(pg_db, "check").exit_code == 0
    # and back: PostgreSQL to a new SQLite ledger
    back = str(tmp_path / "back.db")
    assert invoke(back, "load", str(second)).exit_code == 0
    assert invoke(back, "dump", str(third)).exit_code == 0
    assert third.read_bytes() == first.read_bytes()
    # the next write continues the ids and the log's chain where the dump left them
    assert invoke(pg_db, "branch", "alias", "五夫村", "五夫").exit_code == 0
    assert invoke(pg_db, "check").exit_code == 0


# --- secrets and connection errors -------------------------------------------------------


@pytest.fixture(scope="module")
def clerk_db(pg_cluster) -> str:  # type: ignore[no-untyped-def]
    """A database owned by a role that logs in with a password."""
    pg_cluster.execute(
        f"DO $$ BEGIN CREATE ROLE clerk LOGIN PASSWORD '{SECRET}'; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    name = pg_cluster.new_database()
    pg_cluster.execute(f'ALTER DATABASE "{name}" OWNER TO clerk', f'GRANT ALL ON DATABASE "{name}" TO clerk')
    return name


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_errors_are_chinese_and_never_show_the_password(pg_cluster, clerk_db: str) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "wrong password": pg_cluster.url(clerk_db, "clerk", "wrong-" + SECRET),
        "no such database": pg_cluster.url("no_such_ledger", "clerk", SECRET),
        "no such role": pg_cluster.url(clerk_db, "nobody", SECRET),
        "refused": f"postgresql://clerk:{SECRET}@127.0.0.1:{_closed_port()}/{clerk_db}",
        "password in the query": f"postgresql://clerk@127.0.0.1:{pg_cluster.port}/{clerk_db}?password=x{SECRET}",
    }
    for case, url in cases.items():
        for args in (
            ["status"],
            ["--debug", "status"],
            ["init"],
            ["--debug", "branch", "alias", "五夫村", "五"],
        ):
            result = CliRunner().invoke(app, ["--db", url, *args])
            assert result.exit_code == 1, (case, args, result.stderr)
            assert SECRET not in result.stderr + result.stdout, (case, args)
            assert "错误：" in result.stderr and "内部错误" not in result.stderr, (case, args, result.stderr)


def test_a_password_in_jcnian_db_works_and_stays_out_of_the_log(
    pg_cluster, clerk_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    url = pg_cluster.url(clerk_db, "clerk", SECRET)
    monkeypatch.setenv("JCNIAN_DB", url)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    # the URL on the command line too: the log's command line has it redacted
    assert runner.invoke(app, ["--db", url, "branch", "alias", "五夫村", "五夫"]).exit_code == 0
    log = runner.invoke(app, ["log", "--format", "json"])
    assert log.exit_code == 0 and SECRET not in log.stdout
    assert "clerk:***@" in json.loads(log.stdout)[0]["command"]
    dumped = runner.invoke(app, ["--debug", "log", "show", "99999"])
    assert SECRET not in dumped.stdout + dumped.stderr


def test_a_server_gone_mid_command_is_a_fault_not_a_crash(pg_cluster, seeded_pg: str) -> None:  # type: ignore[no-untyped-def]
    """The server ends the connection under a write (a restart, an administrator): exit 1 in
    Chinese, nothing written."""
    from sqlalchemy import event

    from jcnian import db as storage

    killed = []

    def kill_own_backend(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if not killed and statement.lstrip().upper().startswith("INSERT INTO BRANCH_ALIAS"):
            killed.append(True)
            pg_cluster.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{conn.engine.url.database}' AND pid <> pg_backend_pid()"
            )

    real = storage.make_engine

    def engine_that_loses_its_server(url: str, **kw: Any) -> Any:
        engine = real(url, **kw)
        event.listen(engine, "before_cursor_execute", kill_own_backend)
        return engine

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "make_engine", engine_that_loses_its_server)
        result = invoke(seeded_pg, "branch", "alias", "五夫村", "五夫")
    assert killed and result.exit_code == 1, result.stderr
    assert "连接中断" in result.stderr and "内部错误" not in result.stderr
    aliases = json.loads(invoke(seeded_pg, "branch", "show", "五夫村", "--format", "json").stdout)
    assert "五夫" not in aliases.get("aliases", [])


def test_the_schema_8_upgrade_attributes_the_log_and_keeps_it_append_only(pg_cluster, seeded_pg: str) -> None:  # type: ignore[no-untyped-def]
    import psycopg
    from sqlalchemy.engine import make_url

    assert invoke(seeded_pg, "liaison", "set", "鲁溪闸村", "--cadre", "许胜和").exit_code == 0
    url = make_url(seeded_pg)
    connect = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    with psycopg.connect(**connect, autocommit=True) as conn:  # the ledger as schema 7 kept it
        conn.execute("DROP INDEX ix_change_log_campaign_id")
        conn.execute("ALTER TABLE change_log DROP COLUMN campaign_id")
        conn.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
        conn.execute("UPDATE alembic_version SET version_num = 'v7'")
    result = invoke(seeded_pg, "db", "upgrade")
    assert result.exit_code == 0, result.stderr
    with psycopg.connect(**connect) as conn:
        (campaign,) = conn.execute("SELECT id FROM campaign").fetchone()  # type: ignore[misc]
        owners = conn.execute("SELECT DISTINCT campaign_id FROM change_log").fetchall()
        assert owners == [(campaign,)]  # one campaign: every entry is its
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("UPDATE change_log SET campaign_id = NULL")
    assert invoke(seeded_pg, "check").exit_code == 0
    assert len(json.loads(invoke(seeded_pg, "log", "--format", "json").stdout)) >= 2
