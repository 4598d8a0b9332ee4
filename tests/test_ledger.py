"""The ledger: seed liaison table, init, branches, people, liaisons, errors, start-up."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ledgerkit import execute

from jcnian.names import normalise
from jcnian.seed import default_seed_path, read_seed

SEED_DOC = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "000_e0574660d32dcb18.txt"

# Typed by hand from 附件1 of the seed: (name, leader, cadre), None for a blank cell.
SPOT_CHECKS = [
    ("五夫村党总支", "章伟青", "朱高华"),
    ("鲁溪闸村党支部", "李振尧", None),
    ("孝丰村党支部", "陈刚", "李庆炎"),
    ("杨梅村党支部", "诸夏良", "袁婕"),
    ("新驿亭村党总支", "魏建亮", "黄坚平"),
    ("杨溪村党支部", None, "俞柏炎"),
    ("新横塘村党总支", "赵瑞华", None),
    ("五夫工业区党总支", "章伟青", "李庆炎"),
    ("上虞市石狮实业有限公司党支部", "魏建良", "成光灿"),
    ("上虞市华兴金属型材有限公司党支部", None, "贾伟丽"),
    ("驿亭镇白马湖水产专业合作社党支部", "王伟荣", None),
]


def _seed_rows() -> list[dict[str, str]]:
    with default_seed_path().open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _parse_seed_document(text: str) -> list[tuple[str, str | None, str | None]]:
    """Read 附件1 out of the seed text: cells are '|'-separated, one per line."""
    block = text[text.index("附件1") : text.index("附件2")]
    cells = [c.strip() for c in re.split(r"\|", block)]
    rows = []
    for i, cell in enumerate(cells):
        if cell.endswith(("党支部", "党总支")):
            leader, cadre = cells[i + 1], cells[i + 2]
            rows.append((cell, normalise(leader) or None, normalise(cadre) or None))
    return rows


def test_seed_csv_has_the_32_branches_of_the_liaison_table() -> None:
    rows = _seed_rows()
    assert len(rows) == 32
    assert [r["category"] for r in rows] == ["农村"] * 16 + ["非公制企业"] * 16
    assert rows[0]["name"] == "五夫村党总支" and rows[-1]["name"] == "驿亭镇白马湖水产专业合作社党支部"
    for row in rows:
        assert row["name"].endswith(row["form"])
    by_name = {r["name"]: r for r in rows}
    for name, leader, cadre in SPOT_CHECKS:
        assert (normalise(by_name[name]["leader"]) or None) == leader
        assert (normalise(by_name[name]["cadre"]) or None) == cadre


@pytest.mark.skipif(not SEED_DOC.exists(), reason="seed document ../shared not beside the checkout")
def test_seed_csv_matches_the_seed_document_cell_for_cell() -> None:
    from_doc = _parse_seed_document(SEED_DOC.read_text(encoding="utf-8"))
    from_csv = [
        (r.name, r.leader and normalise(r.leader), r.cadre and normalise(r.cadre))
        for r in read_seed(default_seed_path())
    ]
    assert from_csv == from_doc


def test_init_seeds_and_branch_list_json_matches_the_csv(seeded) -> None:
    result = seeded("branch", "list", "--format", "json")
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    data = json.loads(result.stdout)
    expected = [
        {
            "name": r["name"],
            "form": r["form"],
            "category": r["category"],
            "leader": normalise(r["leader"]) or None,
            "cadre": normalise(r["cadre"]) or None,
            "remarks": r["remarks"] or None,
        }
        for r in _seed_rows()
    ]
    assert data == expected


def test_init_twice_changes_nothing_and_says_so(seeded) -> None:
    before = seeded("branch", "list", "-f", "json").stdout
    again = seeded("init")
    assert again.exit_code == 0
    assert "未做任何改动" in again.stderr
    assert seeded("branch", "list", "-f", "json").stdout == before


def test_init_from_a_bad_file_names_row_and_field_and_writes_nothing(run, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,form,category\n甲村党支部,党支部,农村\n乙村党支部,党小组,乡镇\n", encoding="utf-8")
    result = run("init", "--from", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:3" in result.stderr and "form" in result.stderr and "category" in result.stderr
    assert not (tmp_path / "ledger.db").exists()


def test_init_from_a_gbk_file_with_chinese_headers(run, tmp_path) -> None:
    src = tmp_path / "liaison.csv"
    src.write_bytes(
        "党组织名称,分类,联系领导,联系干部\n甲村党总支,农村,张 三,\n乙公司党支部,非公制企业,,李四\n".encode(
            "gbk"
        )
    )
    assert run("init", "--town", "某镇", "--year", "2013", "--from", str(src)).exit_code == 0
    data = json.loads(run("branch", "list", "-f", "json").stdout)
    assert data == [
        {
            "name": "甲村党总支",
            "form": "党总支",
            "category": "农村",
            "leader": "张三",
            "cadre": None,
            "remarks": None,
        },
        {
            "name": "乙公司党支部",
            "form": "党支部",
            "category": "非公制企业",
            "leader": None,
            "cadre": "李四",
            "remarks": None,
        },
    ]


def test_category_filter_and_csv_output(seeded) -> None:
    result = seeded("branch", "list", "--category", "农村", "--format", "csv")
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "seq,name,form,category,leader,cadre,remarks"
    assert len(lines) == 17 and lines[1].startswith("1,五夫村党总支,党总支,农村,章伟青,朱高华")
    assert seeded("branch", "list", "--category", "机关事业单位", "-f", "json").stdout.strip() == "[]"
    unknown = seeded("branch", "list", "--category", "学校")
    assert unknown.exit_code == 1 and "分类“学校”不存在" in unknown.stderr


def test_table_output_is_cjk_aligned(seeded) -> None:
    lines = [line for line in seeded("branch", "list").stdout.splitlines() if "│" in line]
    from rich.cells import cell_len

    assert len(lines) == 32 and len({cell_len(line) for line in lines}) == 1


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("五夫村", "五夫村党总支"),
        ("五夫村党总支", "五夫村党总支"),
        (" 耀华 ", "浙江耀华高翔管桩有限公司党支部"),
        ("ＸＸ", None),
    ],
)
def test_branch_names_resolve_by_a_unique_part(seeded, query: str, found: str | None) -> None:
    result = seeded("branch", "show", query, "-f", "json")
    if found is None:
        assert result.exit_code == 1 and "找不到党组织" in result.stderr
    else:
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["name"] == found


def test_ambiguous_and_unknown_names_list_candidates(seeded) -> None:
    ambiguous = seeded("branch", "show", "五夫")
    assert ambiguous.exit_code == 1
    assert "五夫村党总支" in ambiguous.stderr and "五夫工业区党总支" in ambiguous.stderr
    unknown = seeded("branch", "show", "新横塘党总支")
    assert unknown.exit_code == 1 and "新横塘村党总支" in unknown.stderr
    assert "Traceback" not in unknown.stderr + unknown.stdout


def test_people_are_one_per_normalised_name(seeded) -> None:
    people = json.loads(seeded("people", "list", "-f", "json").stdout)
    by_name = {p["name"]: p["liaisons"] for p in people}
    assert by_name["袁婕"] == [
        {"branch": "杨梅村党支部", "role": "cadre"},
        {"branch": "上虞华盛电机有限公司党支部", "role": "cadre"},
    ]
    assert by_name["袁兴祥"] == [
        {"branch": "马慢桥党支部", "role": "leader"},
        {"branch": "上虞市锦涛电子有限公司党支部", "role": "cadre"},
    ]
    assert "袁 婕" not in by_name and "陈刚" in by_name
    assert all(" " not in name for name in by_name)
    shown = json.loads(seeded("people", "show", "袁 婕", "-f", "json").stdout)
    assert shown["name"] == "袁婕" and len(shown["liaisons"]) == 2


def test_people_check_lists_near_duplicates_without_merging(seeded) -> None:
    result = seeded("people", "check", "-f", "json")
    assert result.exit_code == 1
    pairs = json.loads(result.stdout)
    assert [(p["a"], p["b"]) for p in pairs] == [("魏建亮", "魏建良")]
    names = {p["name"] for p in json.loads(seeded("people", "list", "-f", "json").stdout)}
    assert {"魏建亮", "魏建良"} <= names


def test_liaison_set_and_clear(seeded) -> None:
    assert seeded("liaison", "set", "鲁溪闸村", "--cadre", "许 胜和").exit_code == 0
    shown = json.loads(seeded("branch", "show", "鲁溪闸村", "-f", "json").stdout)
    assert (shown["leader"], shown["cadre"]) == ("李振尧", "许胜和")
    people = {p["name"]: p["liaisons"] for p in json.loads(seeded("people", "list", "-f", "json").stdout)}
    assert {"branch": "鲁溪闸村党支部", "role": "cadre"} in people["许胜和"]
    assert seeded("liaison", "clear", "鲁溪闸村", "--role", "leader").exit_code == 2  # no --yes
    assert json.loads(seeded("branch", "show", "鲁溪闸村", "-f", "json").stdout)["leader"] == "李振尧"
    assert seeded("liaison", "clear", "鲁溪闸村", "--role", "leader", "--yes").exit_code == 0
    shown = json.loads(seeded("branch", "show", "鲁溪闸村", "-f", "json").stdout)
    assert (shown["leader"], shown["cadre"]) == (None, "许胜和")
    assert seeded("liaison", "set", "鲁溪闸村").exit_code == 1
    assert seeded("liaison", "clear", "鲁溪闸村", "--role", "boss", "--yes").exit_code == 2


def test_branch_add_edit_alias_and_remove(seeded) -> None:
    added = seeded(
        "branch", "add", "驿亭镇农村信用社党支部", "--category", "国有金融机构", "--leader", "章伟青"
    )
    assert added.exit_code == 0, added.stderr
    rows = json.loads(seeded("branch", "list", "-f", "json").stdout)
    assert rows[-1] == {
        "name": "驿亭镇农村信用社党支部",
        "form": "党支部",
        "category": "国有金融机构",
        "leader": "章伟青",
        "cadre": None,
        "remarks": None,
    }
    assert seeded("branch", "add", "五夫村党总支", "--category", "农村").exit_code == 1
    assert seeded("branch", "add", "某某小组", "--category", "农村").exit_code == 1
    blank = seeded("branch", "add", "  ", "--category", "农村")
    assert blank.exit_code == 1 and "名称不能为空" in blank.stderr
    bad_form = seeded("branch", "add", "新企业党委", "--category", "非公制企业", "--form", "党小组")
    assert bad_form.exit_code == 1 and "组织形式“党小组”无效" in bad_form.stderr
    assert (
        seeded("branch", "edit", "马慢桥", "--name", "马慢桥村党支部", "--remarks", "村名补全").exit_code == 0
    )
    shown = json.loads(seeded("branch", "show", "马慢桥村党支部", "-f", "json").stdout)
    assert shown["remarks"] == "村名补全" and shown["leader"] == "袁兴祥"
    assert seeded("branch", "alias", "耀华", "耀华管桩").exit_code == 0
    assert json.loads(seeded("branch", "show", "耀华管桩", "-f", "json").stdout)["aliases"] == ["耀华管桩"]

    refused = seeded("branch", "remove", "五洲村")  # CliRunner's stdin is not a terminal
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert len(json.loads(seeded("branch", "list", "-f", "json").stdout)) == 33
    assert seeded("branch", "remove", "五洲村", "--yes").exit_code == 0
    names = [r["name"] for r in json.loads(seeded("branch", "list", "-f", "json").stdout)]
    assert "五洲村党支部" not in names and len(names) == 32
    # 俞振江 stays: he is also the cadre of 耀华高翔.
    people = {p["name"]: p["liaisons"] for p in json.loads(seeded("people", "list", "-f", "json").stdout)}
    assert people["俞振江"] == [{"branch": "浙江耀华高翔管桩有限公司党支部", "role": "cadre"}]


def test_exit_codes_and_debug(run) -> None:
    missing = run("branch", "list")
    assert missing.exit_code == 1 and "jcnian init" in missing.stderr and "Traceback" not in missing.stderr
    assert run("branch", "list", "--no-such-option").exit_code == 2
    assert run("--debug", "branch", "list").stderr.count("Traceback") == 1


def test_db_from_environment(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from jcnian.cli import app

    monkeypatch.setenv("JCNIAN_DB", str(tmp_path / "env.db"))
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_default_ledger_is_jcnian_db_in_the_working_folder(tmp_path) -> None:
    from typer.testing import CliRunner

    from jcnian.cli import app

    assert CliRunner().invoke(app, ["init"]).exit_code == 0  # conftest chdir'd into tmp_path
    assert (tmp_path / "jcnian.db").exists()


@pytest.mark.sqlite_only("SQLite's own settings (WAL, foreign_keys)")
def test_ledger_records_schema_version_and_sqlite_settings(seeded, db) -> None:
    import sqlite3

    from jcnian import db as database
    from jcnian.models import SCHEMA_VERSION

    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    con.close()
    engine = database.open_engine(db)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == database.BUSY_TIMEOUT_MS
    engine.dispose()


def test_newer_ledger_is_refused(seeded, db) -> None:
    execute(db, "UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    result = seeded("branch", "list")
    assert result.exit_code == 1 and "999" in result.stderr


def _leaf_commands():  # type: ignore[no-untyped-def]
    import typer.main

    from jcnian.cli import app

    root = typer.main.get_command(app)
    ctx = typer.Context(root)

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                yield from walk(cmd.get_command(ctx, name), [*path, name])
        else:
            yield " ".join(path), cmd

    return list(walk(root, []))


def test_every_command_has_help_with_an_example() -> None:
    leaves = _leaf_commands()
    assert len(leaves) >= 12
    for path, cmd in leaves:
        assert cmd.help and "示例：jcnian" in cmd.help, f"jcnian {path} has no example in its help"


def test_every_command_group_has_an_example_too() -> None:
    from jcnian.cli import COMMANDS, load_command

    for name in COMMANDS:
        command = load_command(name)
        groups = [command, *getattr(command, "commands", {}).values()]
        for group in groups:
            if hasattr(group, "list_commands"):
                assert "示例：jcnian" in (group.help or ""), f"jcnian {name} {group.name}"


def test_root_help_lines_are_the_commands_own() -> None:
    """The root --help lists commands without loading them; its lines must not drift."""
    from jcnian.cli import COMMANDS, load_command

    for name, (_, _, line) in COMMANDS.items():
        assert load_command(name).help.strip().splitlines()[0] == line, name


def test_root_help_lists_every_command(run) -> None:
    from jcnian.cli import COMMANDS

    result = run("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout


def _modules_loaded(*argv: str) -> set[str]:
    code = (
        "import sys\n"
        "from jcnian.cli import main\n"
        f"sys.argv = ['jcnian', *{list(argv)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    names = done.stderr.strip().splitlines()[-1].split()
    return set(names) | {name.split(".")[0] for name in names}


def test_help_loads_no_sqlalchemy_pandas_or_openpyxl() -> None:
    loaded = _modules_loaded("--help")
    assert not loaded & {"sqlalchemy", "sqlmodel", "pandas", "openpyxl"}


def test_branch_list_loads_no_pandas_or_openpyxl(seeded, db) -> None:
    loaded = _modules_loaded("--db", db, "branch", "list")
    assert "sqlalchemy" in loaded
    assert not loaded & {"pandas", "openpyxl"}
    # Only the ledger's own tables and commands are loaded: the rest cost start-up time.
    assert not loaded & {
        "jcnian.gradebook.tables",
        "jcnian.campaign.tables",
        "jcnian.commands.grade",
        "jcnian.grading",
    }


def test_python_dash_m_works(seeded, db) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jcnian", "--db", db, "branch", "list", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 32


def test_a_closed_pipe_ends_quietly(seeded, db) -> None:
    """`jcnian grade quota -f csv | head -1`: the reader goes away, no error is shown."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run(
        [sys.executable, "-m", "jcnian", "--db", db, "grade", "quota", "-f", "csv"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    os.close(write_end)
    assert done.returncode == 141  # as if stopped by SIGPIPE: not a domain error
    assert done.stderr == ""


@pytest.mark.sqlite_only("upgrades an SQLite fixture ledger (tests/fixtures)")
def test_a_version_1_ledger_is_upgraded_in_place(seeded, db) -> None:
    """A ledger made by the first release (no phase tables, older grade events) still opens."""
    import sqlite3

    from jcnian.gradebook.tables import RubricVersion
    from jcnian.models import SCHEMA_VERSION, load_all_tables

    load_all_tables()
    v1_tables = {"meta", "campaign", "phase_window", "category", "branch", "branch_alias", "person"}
    v1_tables |= {"liaison", "rubric", "survey_import", "score", "deduction", "ballot", "veto", "grade_event"}
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys=OFF")
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
        if name not in v1_tables:
            con.execute(f'DROP TABLE "{name}"')
    con.execute("DROP INDEX ix_score_survey")
    con.execute("DROP TABLE grade_event")
    con.execute(  # as the first release created it
        "CREATE TABLE grade_event (id INTEGER NOT NULL PRIMARY KEY, "
        "branch_id INTEGER NOT NULL REFERENCES branch (id) ON DELETE CASCADE, step VARCHAR NOT NULL, "
        'grade VARCHAR, score FLOAT, "on" DATE, reason VARCHAR, override VARCHAR, at DATETIME NOT NULL)'
    )
    con.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    con.commit()
    con.close()
    assert RubricVersion.__tablename__ == "rubric"

    result = seeded("status", "--as-of", "2012-05-10", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["phases"][0]["phase"] == "动员部署"
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    columns = {row[1] for row in con.execute("PRAGMA table_info(grade_event)")}
    assert {"by", "rubric_id"} <= columns
    assert con.execute("SELECT name FROM sqlite_master WHERE name='ix_score_survey'").fetchone()
    con.close()
    assert json.loads(seeded("branch", "list", "-f", "json").stdout)[0]["name"] == "五夫村党总支"


def test_a_file_that_is_not_a_ledger_is_refused_without_writing(run, tmp_path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = run("--db", str(empty), "branch", "list")
    assert result.exit_code == 1 and "jcnian init" in result.stderr
    assert empty.read_bytes() == b""

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is a spreadsheet, not a ledger" * 100)
    result = run("--db", str(junk), "branch", "list")
    assert result.exit_code == 1 and "不是 SQLite 账本文件" in result.stderr
    assert "内部错误" not in result.stderr

    result = run("--db", str(tmp_path), "branch", "list")  # a folder
    assert result.exit_code == 1 and "内部错误" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("branch", "list", "--format", "xml"), "“xml”不是"),
        (("branch", "list", "--no-such"), "没有选项 --no-such"),
        (("branch", "show"), "缺少参数"),
        (("nosuch",), "没有命令“nosuch”"),
        (("status", "--as-of", "2012-13-01"), "不是有效日期"),
    ],
)
def test_usage_errors_are_said_in_chinese_with_exit_2(seeded, db, args, expected) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jcnian", "--db", db, *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith("用法错误：") and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_full_width_dates_are_read(seeded) -> None:
    result = seeded("status", "--as-of", "２０１２-０５-１０", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2012-05-10"
