"""Text a user or a file supplies is inert: it cannot change what the terminal or a spreadsheet does.

Rich markup and control characters print literally (jcnian.inert.terminal); control
characters and over-long texts are refused at entry with the field named (jcnian.textguard,
the argument check); CSV and xlsx exports neutralise text a spreadsheet would run (OWASP's
leading = + - @ tab CR); a database URL's password is never printed.
"""

import json
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from ledgerkit import execute, sql

from jcnian import inert
from jcnian.errors import InvalidInput
from jcnian.report.workbook import Column, Sheet, Table, write_sheets

MARKUP = ("[/bold]x党支部", "[link=http://evil.example]点我[/link]党支部", "[red]红[/red]党支部")


def rename(db: str, old: str, new: str) -> None:
    """A name written straight into the ledger, as an older version or another program might have."""
    execute(db, "UPDATE branch SET name = :new WHERE name = :old", new=new, old=old)


@pytest.mark.parametrize("name", MARKUP)
def test_markup_in_a_name_prints_literally_everywhere(seeded, name: str) -> None:  # type: ignore[no-untyped-def]
    result = seeded("branch", "add", name, "--category", "农村")
    assert result.exit_code == 0, result.stderr
    for args in (
        ("branch", "list"),
        ("grade", "list"),
        ("overdue", "--as-of", "2012-12-01"),
        ("status", name),
    ):
        out = seeded(*args)
        assert out.exit_code in (0, 1) and "内部错误" not in out.stderr, (args, out.stderr)  # overdue: 1
        assert "\x1b]8;" not in out.stdout  # no live terminal hyperlink
    listed = seeded("branch", "list").stdout
    assert name.split("[", 2)[1].split("]")[0] in listed  # the brackets' content is shown as typed
    assert "[" in listed


def test_control_characters_already_in_the_ledger_are_shown_not_obeyed(seeded, db: str) -> None:  # type: ignore[no-untyped-def]
    rename(db, "五夫村党总支", "\x1b[2J\x1b]8;;http://evil\x07五夫村党总支\u202e\x9b")
    for args in (
        ("branch", "list"),
        ("branch", "list", "--format", "csv"),
        ("overdue", "--as-of", "2012-12-01"),
    ):
        out = seeded(*args)
        assert out.exit_code in (0, 1) and "内部错误" not in out.stderr, out.stderr
        assert not any(ch in out.stdout for ch in "\x1b\x07\u202e\x9b")
        assert "\\x1b[2J" in out.stdout
    for args in (("branch", "list", "--format", "json"), ("export", "json", "branch")):
        out = seeded(*args)
        assert out.exit_code == 0, out.stderr
        assert not any(ch in out.stdout for ch in "\x1b\x07\u202e\x9b")  # escaped in the JSON text
        assert any(b["name"].startswith("\x1b[2J") for b in json.loads(out.stdout))  # the same data


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("branch", "add", "坏\x1b[2J党支部", "--category", "农村"), "ESC"),
        (
            (
                "problem",
                "add",
                "五夫村",
                "正常",
                "--source",
                "座谈会",
                "--on",
                "2012-04-12",
                "--note",
                "a\x9bb",
            ),
            "--note",
        ),
        (("branch", "show", "\x1b]8;;http://x\x1b\\五夫"), "ESC"),
    ],
)
def test_control_characters_are_refused_at_entry(seeded, args: tuple[str, ...], field: str) -> None:  # type: ignore[no-untyped-def]
    result = seeded(*args)
    assert result.exit_code == 2, result.stderr
    assert field in result.stderr and "\x1b" not in result.stderr


def test_tabs_and_line_breaks_only_in_long_texts(seeded, db: str) -> None:  # type: ignore[no-untyped-def]
    result = seeded("regulation", "add", "五夫村", "党员\t联系户制度", "--on", "2012-06-01")
    assert result.exit_code == 1
    assert "制度名称不能含制表符" in result.stderr
    result = seeded("problem", "add", "五夫村", "第一行\n第二行", "--source", "座谈会", "--on", "2012-04-12")
    assert result.exit_code == 0, result.stderr
    assert sql(db, "SELECT text FROM problem") == [("第一行\n第二行",)]


def test_lengths_have_limits_named_when_passed(seeded, db: str) -> None:  # type: ignore[no-untyped-def]
    result = seeded("branch", "add", "长" * 40_000 + "党支部", "--category", "农村")
    assert result.exit_code == 1
    assert "党组织名称太长：最多 60 个字，现有 40003 个字" in result.stderr
    result = seeded("problem", "add", "五夫村", "问" * 10_001, "--source", "座谈会", "--on", "2012-04-12")
    assert result.exit_code == 1 and "问题内容太长：最多 10000 个字" in result.stderr
    assert sql(db, "SELECT count(*) FROM branch") == [(32,)]


# --- spreadsheets -------------------------------------------------------------------------------


FORMULA = '=HYPERLINK("http://evil.example","点我")'


def test_csv_exports_neutralise_formulas(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for text in (FORMULA, "+1+1", "@SUM(A1)", "-2+3", "-2"):
        result = seeded("problem", "add", "--source", "座谈会", "--on", "2012-04-12", "五夫村", "--", text)
        assert result.exit_code == 0, result.stderr
    out = tmp_path / "问题.csv"
    assert seeded("export", "csv", "problem", "-o", str(out)).exit_code == 0
    exported = out.read_text(encoding="utf-8-sig")
    listed = seeded("problem", "list", "--format", "csv").stdout
    for csv_text in (exported, listed):
        assert (
            "'=HYPERLINK" in csv_text and "'+1+1" in csv_text and "'@SUM" in csv_text and "'-2+3" in csv_text
        )
        assert ",-2," in csv_text  # a plain number is left as it is
    # JSON is for scripts, not spreadsheets: the text as stored.
    assert FORMULA in seeded("problem", "list", "--format", "json").stdout.replace('\\"', '"')


def _workbook(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "t.xlsx"
    sheet = Sheet("问题", [Table([Column("内容"), Column("分", "int")], [(t, 1) for t in texts])])
    write_sheets(path, [sheet], title="测试", created=datetime(2012, 5, 1))
    return path


def test_xlsx_keeps_formula_text_as_typed_with_the_quote_prefix(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [FORMULA, "普通", "-2"])
    ws = openpyxl.load_workbook(path).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells[FORMULA].data_type == "s" and cells[FORMULA].quotePrefix
    assert not cells["普通"].quotePrefix
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_refuses_a_text_longer_than_a_cell_instead_of_cutting_it(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="32767"):
        _workbook(tmp_path, ["长" * 40_000])


# --- the database URL's password ------------------------------------------------------------------


def test_a_database_urls_password_is_never_printed(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from jcnian import db

    def echoing(url: str, **_: object) -> None:
        raise RuntimeError(f"cannot connect to {url}")  # a driver that echoes its DSN

    monkeypatch.setattr(db, "make_engine", echoing)
    url = "postgresql://clerk:s3cret-pw@db.example/ledger"
    from typer.testing import CliRunner

    from jcnian.cli import app

    for args in (["--db", url, "branch", "list"], ["--debug", "--db", url, "branch", "list"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 1
        assert "s3cret" not in result.stderr and "s3cret" not in result.stdout
        assert "clerk:***@db.example" in result.stderr
    assert (
        inert.redact("x mysql+pymysql://root:p%40ss/w@h:3306/db y")
        == "x mysql+pymysql://root:***@h:3306/db y"
    )


def test_the_renderer_alone() -> None:
    assert inert.terminal("a\x1b[2Jb\tc\r\nd\x9b\u202e") == "a\\x1b[2Jb c\nd\\x9b\\u202e"
    assert (
        inert.spreadsheet("=1+1") == "'=1+1"
        and inert.spreadsheet("-2.5") == "-2.5"
        and inert.spreadsheet(3) == 3
    )
    assert inert.spreadsheet("\tx") == "'\tx" and inert.spreadsheet("\r=x") == "'\r=x"


def test_a_rubric_name_as_a_column_header_prints_literally(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rubric = seeded("grade", "rubric", "show", "--toml").stdout.replace(
        '"群众初评" = 0.3', '"[/bold]群众" = 0.3'
    )
    (tmp_path / "r.toml").write_text(rubric, encoding="utf-8")
    assert seeded("grade", "rubric", "set", str(tmp_path / "r.toml")).exit_code == 0
    assert seeded("grade", "score", "五夫村", "-s", "[/bold]群众", "-i", "工作思路", "-p", "8").exit_code == 0
    listed = seeded("grade", "list", "--wide")
    assert listed.exit_code == 0, listed.stderr
    assert "[/bold]群众" in listed.stdout


def test_a_big_file_named_with_markup_imports(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = ["党组织,评价主体,指标,测评人,得分"] + [
        f"五夫村,群众初评,工作思路,{i}号,8" for i in range(12_000)
    ]
    path = tmp_path / "[link=http:evil]测评.csv"  # big enough for the progress bar, whose text is markup
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = seeded("survey", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "[link=http:evil]测评.csv" in result.stderr


def test_a_table_export_to_a_terminal_shows_control_characters() -> None:
    from sqlalchemy import Column as SqlColumn
    from sqlalchemy import Integer, MetaData, String
    from sqlalchemy import Table as SqlTable

    from jcnian.report.tables import _csv_rows

    table = SqlTable("t", MetaData(), SqlColumn("id", Integer), SqlColumn("name", String))
    rows = [(1, "\x1b[2J五夫村"), (2, "=1+1"), (3, "联桥村")]
    assert list(_csv_rows(table, rows, terminal=True)) == [[1, "\\x1b[2J五夫村"], [2, "'=1+1"], [3, "联桥村"]]
    # To a file or a pipe the data stay as stored (but for formula text).
    assert [list(r) for r in _csv_rows(table, rows)] == [[1, "\x1b[2J五夫村"], [2, "'=1+1"], [3, "联桥村"]]
