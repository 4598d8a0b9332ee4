"""三 and 四 beyond the phases (issue 15): 附件2 slogans, 一句话承诺, 闪光言行, 五个一, 轮训, 书记,
the town's 动员大会 — entry, correction that keeps what was not given, refusal, JSON."""

import json
from datetime import date

import pytest

from jcnian.campaign.slogans import slogan_catalogue


def _json(result):  # type: ignore[no-untyped-def]
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_the_catalogue_is_the_seeds_twenty_slogans_and_a_number_takes_one(seeded) -> None:  # type: ignore[no-untyped-def]
    assert len(slogan_catalogue()) == 20
    assert slogan_catalogue()[1] == "强组织、增活力,创先争优迎十八大"
    assert slogan_catalogue()[19].startswith("深化“娥江先锋”创先争优活动")
    listed = _json(seeded("publicity", "catalogue", "--format", "json"))
    assert [r["number"] for r in listed] == list(range(1, 21))
    ok = seeded("publicity", "slogan", "五夫村", "3", "--on", "2012-04-20")
    assert ok.exit_code == 0, ok.stderr
    assert slogan_catalogue()[2] in ok.stderr
    assert seeded("publicity", "slogan", "联桥村", "第２条", "--on", "2012-04-20").exit_code == 0
    own = seeded("publicity", "slogan", "二都村", "我们自己的标语", "--on", "2012-04-20")
    assert own.exit_code == 0 and "我们自己的标语" in own.stderr
    bad = seeded("publicity", "slogan", "五夫村", "21", "--on", "2012-04-20")
    assert bad.exit_code == 1 and "1–20" in bad.stderr


def test_pledges_of_branch_and_members_are_corrected_imported_and_covered(seeded, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert seeded("pledge", "add", "五夫村", "带头服务群众", "--on", "2012-05-20").exit_code == 0
    assert (
        seeded("pledge", "add", "五夫村", "办好三件实事", "-m", "王 伟", "--on", "2012-05-20").exit_code == 0
    )
    again = seeded("pledge", "add", "五夫村", "办好四件实事", "-m", "王伟", "--on", "2012-05-21")
    assert again.exit_code == 0 and "原为 2012-05-20：办好三件实事" in again.stderr
    assert seeded("pledge", "add", "五夫村", "  ", "--on", "2012-05-20").exit_code == 1
    assert seeded("pledge", "add", "五夫村", "x", "--on", "2013-05-20").exit_code == 1
    good = tmp_path / "承诺.csv"
    good.write_bytes(
        "党组织,党员,承诺,日期\n联桥村,,服务到家,2012-05-22\n联桥村,李四,每周走访,\n".encode("gbk")
    )
    assert seeded("pledge", "import", str(good), "--on", "2012-05-23").exit_code == 0
    assert "未变 2" in seeded("pledge", "import", str(good), "--on", "2012-05-23").stderr
    bad = tmp_path / "错.csv"
    bad.write_text("党组织,党员,承诺\n二都村,,好\n不存在村,,x\n孝丰村,张三,\n", encoding="utf-8")
    refused = seeded("pledge", "import", str(bad), "--on", "2012-05-23")
    assert refused.exit_code == 1 and "错.csv:3" in refused.stderr and "错.csv:4" in refused.stderr
    pledges = _json(seeded("pledge", "list", "--as-of", "2012-06-30", "--format", "json"))
    assert [(p["branch"][:3], p["member"], p["text"], p["on"]) for p in pledges] == [
        ("五夫村", None, "带头服务群众", "2012-05-20"),
        ("五夫村", "王伟", "办好四件实事", "2012-05-21"),
        ("联桥村", None, "服务到家", "2012-05-22"),
        ("联桥村", "李四", "每周走访", "2012-05-23"),
    ]
    assert not any(p["branch"].startswith("二都村") for p in pledges)  # the refused file wrote nothing
    before = _json(seeded("pledge", "coverage", "--as-of", "2012-05-19", "--format", "json"))
    assert not any(r["branch_pledge"] for r in before)
    cover = seeded("pledge", "coverage", "--as-of", "2012-06-30", "--format", "json")
    assert cover.exit_code == 1  # most branches have not pledged
    rows = {r["branch"][:3]: r for r in json.loads(cover.stdout)}
    assert rows["五夫村"] == {"branch": "五夫村党总支", "branch_pledge": True, "members": 1}


def test_deeds_and_the_selection(seeded) -> None:  # type: ignore[no-untyped-def]
    assert seeded("deed", "add", "五夫村", "王伟", "雨夜抢修路灯", "--on", "2012-06-15").exit_code == 0
    assert seeded("deed", "add", "五夫村", "王伟", "捐资助学", "--on", "2012-06-16").exit_code == 0
    again = seeded("deed", "add", "五夫村", "王伟", "捐资助学", "--on", "2012-06-16", "--note", "报送")
    assert again.exit_code == 0
    assert seeded("deed", "add", "五夫村", "", "x", "--on", "2012-06-16").exit_code == 1
    which = seeded("deed", "select", "五夫村", "王伟", "--on", "2012-07-01")
    assert which.exit_code == 1 and "--deed" in which.stderr
    assert seeded("deed", "select", "五夫村", "张三", "--on", "2012-07-01").exit_code == 1
    early = seeded("deed", "select", "五夫村", "王伟", "--deed", "捐资助学", "--on", "2012-06-01")
    assert early.exit_code == 1
    ok = seeded("deed", "select", "五夫村", "王伟", "--deed", "捐资助学", "--on", "2012-07-01")
    assert ok.exit_code == 0, ok.stderr
    chosen = _json(seeded("deed", "list", "--selected", "--as-of", "2012-07-31", "--format", "json"))
    assert [(d["deed"], d["selected_on"], d["note"]) for d in chosen] == [("捐资助学", "2012-07-01", "报送")]
    assert _json(seeded("deed", "list", "--selected", "--as-of", "2012-06-30", "--format", "json")) == []
    assert len(_json(seeded("deed", "list", "--as-of", "2012-07-31", "--format", "json"))) == 2


def test_five_one_for_villages_only(seeded) -> None:  # type: ignore[no-untyped-def]
    ok = seeded(
        "fiveone", "set", "五夫村", "活动阵地", "--met", "--on", "2012-08-20", "--note", "新建服务中心"
    )
    assert ok.exit_code == 0, ok.stderr
    fix = seeded("fiveone", "set", "五夫村", "阵地", "--not-met", "--on", "2012-08-21")
    assert fix.exit_code == 0 and "原为 达到" in fix.stderr
    assert seeded("fiveone", "set", "五夫村", "班子", "--met", "--on", "2012-08-21").exit_code == 0
    firm = seeded("fiveone", "set", "耀华", "活动阵地", "--met", "--on", "2012-08-21")
    assert firm.exit_code == 1 and "不是农村党组织" in firm.stderr
    assert seeded("fiveone", "set", "五夫村", "党建", "--met", "--on", "2012-08-21").exit_code == 1
    table = _json(seeded("fiveone", "show", "--as-of", "2012-08-31", "--format", "json"))
    assert len(table) == 16 and all(r["branch"] for r in table)
    first = table[0]
    assert first["items"] == {
        "领导班子": "达到",
        "工作思路": None,
        "工作机制": None,
        "活动阵地": "未达到",
        "工作业绩": None,
    }
    assert first["met"] == 1 and first["notes"] == {"活动阵地": "新建服务中心"}  # the note was kept
    before = _json(seeded("fiveone", "show", "--as-of", "2012-08-19", "--format", "json"))
    assert before[0]["met"] == 0


def test_secretaries_are_people_and_a_change_keeps_who_left_and_why(seeded) -> None:  # type: ignore[no-untyped-def]
    assert seeded("secretary", "set", "马慢桥", "赵六", "--on", "2012-04-01").exit_code == 0
    near = seeded("secretary", "set", "五夫村", "章伟清", "--on", "2012-04-01")
    assert near.exit_code == 0 and "章伟青" in near.stderr  # one character from a liaison
    no_reason = seeded("secretary", "change", "马慢桥", "李明", "--reason", " ", "--on", "2012-06-20")
    assert no_reason.exit_code == 1
    same = seeded("secretary", "change", "马慢桥", "赵六", "--reason", "不胜任", "--on", "2012-06-20")
    assert same.exit_code == 1
    ok = seeded("secretary", "change", "马慢桥", "李明", "--reason", "不胜任，整顿转化", "--on", "2012-06-20")
    assert ok.exit_code == 0, ok.stderr
    again = seeded(
        "secretary", "change", "马慢桥", "李明", "--reason", "不胜任，整顿转化", "--on", "2012-06-20"
    )
    assert again.exit_code == 0 and "未做改动" in again.stderr
    after = {
        r["branch"][:3]: r
        for r in _json(seeded("secretary", "list", "--as-of", "2012-07-01", "--format", "json"))
    }
    assert after["马慢桥"]["secretary"] == "李明"
    assert after["马慢桥"]["changes"] == ["2012-06-20 赵六 → 李明：不胜任，整顿转化"]
    before = {
        r["branch"][:3]: r
        for r in _json(seeded("secretary", "list", "--as-of", "2012-06-01", "--format", "json"))
    }
    assert before["马慢桥"]["secretary"] == "赵六" and before["马慢桥"]["changes"] == []
    assert before["五夫村"]["secretary"] == "章伟清"


def test_training_sessions_attendance_and_the_missing_list(seeded) -> None:  # type: ignore[no-untyped-def]
    assert seeded("secretary", "set", "五夫村", "王建国", "--on", "2012-04-01").exit_code == 0
    assert seeded("training", "add", "--on", "2012-05-24", "--until", "2012-05-26").exit_code == 0
    late = seeded("training", "add", "--on", "2012-06-24")
    assert late.exit_code == 0 and "5 月下旬" in late.stderr
    assert seeded("training", "add", "--on", "2012-05-26", "--until", "2012-05-25").exit_code == 1
    assert seeded("training", "attend", "五夫村", "--on", "2012-05-25").exit_code == 0
    assert seeded("training", "attend", "联桥村", "--on", "2012-05-25").exit_code == 1  # no secretary known
    assert seeded("training", "attend", "联桥村", "--on", "2012-05-25", "--person", "李四").exit_code == 0
    assert seeded("training", "attend", "二都村", "--on", "2012-05-28", "--person", "王五").exit_code == 1
    assert seeded("training", "attend", "耀华", "--on", "2012-05-25", "--person", "王五").exit_code == 1
    missing = seeded("training", "missing", "--as-of", "2012-06-01", "--format", "json")
    assert missing.exit_code == 1
    names = [r["branch"][:3] for r in json.loads(missing.stdout)]
    assert len(names) == 14 and "五夫村" not in names and "联桥村" not in names
    shown = {
        r["branch"][:3]: r
        for r in _json(seeded("training", "show", "--as-of", "2012-06-01", "--format", "json"))
    }
    assert shown["五夫村"]["attended"] == "王建国" and shown["五夫村"]["sessions"] == ["2012-05-24"]
    assert len(_json(seeded("training", "missing", "--as-of", "2012-05-01", "--format", "json"))) == 16


def test_the_towns_rally_is_one_record_corrected_in_place(seeded) -> None:  # type: ignore[no-untyped-def]
    none = seeded("rally", "show", "--as-of", "2012-04-30", "--format", "json")
    assert none.exit_code == 1 and json.loads(none.stdout)["held_on"] is None
    assert seeded("rally", "set", "--on", "2012-04-24", "--attendance", "120").exit_code == 0
    moved = seeded("rally", "set", "--on", "2012-04-25")
    assert moved.exit_code == 0 and "原为 2012-04-24，120 人" in moved.stderr
    assert seeded("rally", "set", "--on", "2012-04-25", "--attendance", "0").exit_code == 1
    shown = _json(seeded("rally", "show", "--as-of", "2012-04-30", "--format", "json"))
    assert shown == {"held_on": "2012-04-25", "attendance": 120, "note": None}
    assert seeded("rally", "show", "--as-of", "2012-04-24").exit_code == 1


def test_the_demo_fills_every_activity(demo_ledger: str) -> None:
    from typer.testing import CliRunner

    from jcnian.cli import app

    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--db", demo_ledger, *args, "--format", "json"])

    assert _json(run("rally", "show", "--as-of", "2012-12-31"))["held_on"] == "2012-04-24"
    assert (
        _json(run("pledge", "coverage", "--as-of", "2012-12-31"))
        and run("pledge", "coverage", "--as-of", "2012-12-31").exit_code == 0
    )
    assert len(_json(run("deed", "list", "--selected", "--as-of", "2012-12-31"))) == 3
    missing = _json(run("training", "missing", "--as-of", "2012-06-01"))
    assert [r["branch"] for r in missing] == ["新横塘村党总支"]
    secretaries = _json(run("secretary", "list", "--as-of", "2012-12-31"))
    assert all(r["secretary"] for r in secretaries)
    assert sum(len(r["changes"]) for r in secretaries) == 1
    five = _json(run("fiveone", "show", "--as-of", "2012-12-31"))
    assert len(five) == 16 and all(None not in r["items"].values() for r in five)


def test_grade_publish_records_where_the_grades_were_made_public(demo_ledger: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ledgerkit import copy_ledger, session_of
    from typer.testing import CliRunner

    from jcnian.campaign.activities import publication_scopes
    from jcnian.cli import app

    db = str(tmp_path / "published.db")
    copy_ledger(demo_ledger, db)

    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--db", db, "grade", "publish", "--override", "委员会决定", *args])

    ok = run("--on", "2012-04-28", "--scope", "镇政务公开栏、各村村务公开栏")
    assert ok.exit_code == 0, ok.stderr
    assert "公开范围“镇政务公开栏、各村村务公开栏”" in ok.stderr
    again = run("--on", "2012-04-28", "--scope", "各村村务公开栏")
    assert again.exit_code == 0 and "原为 镇政务公开栏、各村村务公开栏" in again.stderr
    assert run("--on", "2012-04-28", "--scope", " ").exit_code == 1
    with session_of(db) as session:
        assert publication_scopes(session, date(2012, 12, 31)) == [
            (date(2012, 4, 28), "各村村务公开栏"),
            (date(2012, 4, 29), "镇政务公开栏、各村村务公开栏"),  # the demo's own
        ]
        assert publication_scopes(session, date(2012, 4, 27)) == []


@pytest.mark.sqlite_only("upgrades an SQLite fixture ledger (tests/fixtures)")
def test_a_version_5_ledger_gets_the_activity_tables(seeded, db: str) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from jcnian.campaign import activities_tables
    from jcnian.models import SCHEMA_VERSION

    names = [
        t.__tablename__
        for t in vars(activities_tables).values()
        if getattr(t, "__module__", None) == activities_tables.__name__ and hasattr(t, "__table__")
    ]
    assert len(names) == 16
    with sqlite3.connect(db) as conn:
        for name in reversed(names):
            conn.execute(f"DROP TABLE {name}")
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    ok = seeded("rally", "set", "--on", "2012-04-25", "--attendance", "100")
    assert ok.exit_code == 0, ok.stderr
    with sqlite3.connect(db) as conn:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert set(names) <= present
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )


def test_the_months_notice_is_a_docx_read_back_with_its_lagging_branches(demo_ledger: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document
    from typer.testing import CliRunner

    from jcnian.cli import app

    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--db", demo_ledger, "notice", *args])

    out = tmp_path / "通报.docx"
    ok = run("--month", "2012-07", "-o", str(out))
    assert ok.exit_code == 0, ok.stderr
    paragraphs = [p.text for p in Document(str(out)).paragraphs]
    assert paragraphs[0] == "关于2012年7月份基层组织建设年活动开展情况的通报"
    assert "各村、企事业单位党支部（总支）：" in paragraphs
    assert paragraphs[-2:] == ["中共驿亭镇委员会基层组织建设年活动领导小组办公室", "二〇一二年七月三十一日"]
    listed = [p for p in paragraphs if p[:1].isdigit()]
    assert listed and all("逾期" in p or "推进不力" in p for p in listed)
    assert any("鲁溪闸村党支部（书记 " in p and "村集体经济增收项目" in p for p in listed)
    assert any("入选“创先争优闪光言行”展示评选" in p for p in paragraphs)  # July's selected deeds
    assert ok.stdout.splitlines()[0] == paragraphs[0]
    again = run("--month", "2012-07", "-o", str(out))
    assert again.exit_code == 1 and "--force" in again.stderr
    assert run("--month", "2012-07", "-o", str(out), "--force").exit_code == 0
    assert run("--month", "2012-07").stdout == ok.stdout  # the same ledger and month: the same notice
    assert run("--month", "2012-13").exit_code != 0
    june = run("--month", "2012-06").stdout
    assert "本月无入选" in june


def test_status_shows_the_activities_before_and_after_their_dates(demo_ledger: str) -> None:
    from typer.testing import CliRunner

    from jcnian.cli import app

    def status(on: str) -> str:
        result = CliRunner().invoke(app, ["--db", demo_ledger, "status", "--as-of", on])
        assert result.exit_code in (0, 1), result.stderr
        return result.stdout

    before, after = status("2012-04-20"), status("2012-12-31")
    assert "七大活动与组织保障" in before and "七大活动与组织保障" in after
    assert "2012-04-24，126 人" not in before and "2012-04-24，126 人" in after
    assert "党组织 0/32" in before and "党组织 32/32" in after
    assert "已参训 15/16 村，缺 1 村" in after
    assert "2012-04-29 镇政务公开栏、各村村务公开栏" in after
    json_out = CliRunner().invoke(
        app, ["--db", demo_ledger, "status", "--as-of", "2012-12-31", "--format", "json"]
    )
    assert "七大活动" not in json_out.stdout  # the JSON contract is the dashboard's own


def test_publicity_usage_names_the_catalogue_item_each_branch_uses(seeded) -> None:  # type: ignore[no-untyped-def]
    assert seeded("publicity", "slogan", "五夫村", "3", "--on", "2012-04-20").exit_code == 0
    full_width = "强组织、增活力，创先争优迎十八大"  # the seed writes "," here
    assert seeded("publicity", "slogan", "联桥村", full_width, "--on", "2012-04-21").exit_code == 0
    assert seeded("publicity", "slogan", "二都村", "自己的话", "--on", "2012-04-22").exit_code == 0
    rows = _json(seeded("publicity", "usage", "--as-of", "2012-04-30", "--format", "json"))
    assert len(rows) == 32
    assert [(r["branch"][:3], r["number"]) for r in rows[:4]] == [
        ("五夫村", 3),
        ("联桥村", 2),
        ("二都村", None),
        ("鲁溪闸", None),
    ]
    assert rows[2]["slogan"] == "自己的话" and rows[3]["slogan"] is None
    early = _json(seeded("publicity", "usage", "--as-of", "2012-04-20", "--format", "json"))
    assert early[1]["slogan"] is None
    table = seeded("publicity", "usage", "--as-of", "2012-04-30", "--format", "csv").stdout
    assert "二都村党支部,自拟,自己的话" in table
