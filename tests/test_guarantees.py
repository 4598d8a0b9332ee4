"""Village work and the bodies of 三、四, 三、六 and 四 (issue 15): cadres' 承诺 and 季考核,
集体经济 plans, incomes and 结对帮扶, the 领导小组/办公室/督导检查组 — entry, correction that keeps
what was not given, refusal, JSON."""

import json


def _json(result):  # type: ignore[no-untyped-def]
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_cadre_pledges_and_their_fulfilment(seeded) -> None:  # type: ignore[no-untyped-def]
    run = seeded
    ok = run("cadre", "pledge", "五夫村", "王伟", "创业承诺", "--text", "建成物业用房", "--on", "2012-05-10")
    assert ok.exit_code == 0, ok.stderr
    assert (
        run("cadre", "pledge", "五夫村", "王伟", "辞职承诺", "--on", "2012-05-10").exit_code == 1
    )  # no text
    assert (
        run("cadre", "pledge", "耀华", "王伟", "辞职承诺", "--text", "x", "--on", "2012-05-10").exit_code == 1
    )
    assert (
        run("cadre", "pledge", "五夫村", "王伟", "承诺书", "--text", "x", "--on", "2012-05-10").exit_code == 1
    )
    early = run("cadre", "pledge", "五夫村", "王伟", "创业", "--status", "已兑现", "--on", "2012-05-01")
    assert early.exit_code == 1
    kept = run("cadre", "pledge", "五夫村", "王伟", "创业", "--status", "已兑现", "--on", "2012-09-01")
    assert kept.exit_code == 0 and "未兑现" in kept.stderr
    rows = _json(run("cadre", "list", "--as-of", "2012-12-31", "--format", "json"))
    assert rows == [
        {
            "branch": "五夫村党总支",
            "person": "王伟",
            "kind": "创业承诺",
            "text": "建成物业用房",  # kept: the status was given alone
            "on": "2012-05-10",
            "status": "已兑现",
            "status_on": "2012-09-01",
        }
    ]
    before = _json(run("cadre", "list", "--as-of", "2012-08-31", "--format", "json"))
    assert before[0]["status"] == "未兑现"


def test_quarterly_assessment_per_cadre_and_quarter(seeded) -> None:  # type: ignore[no-untyped-def]
    run = seeded
    assert run("cadre", "quarter", "五夫村", "王伟", "2", "合格", "--on", "2012-07-05").exit_code == 0
    fix = run("cadre", "quarter", "五夫村", "王伟", "2", "优秀", "--on", "2012-07-06")
    assert fix.exit_code == 0 and "原为 合格" in fix.stderr
    assert run("cadre", "quarter", "五夫村", "王伟", "5", "合格", "--on", "2012-07-05").exit_code == 1
    assert run("cadre", "quarter", "五夫村", "王伟", "3", "合格", "--on", "2012-06-05").exit_code == 1
    assert run("cadre", "quarter", "五夫村", "王伟", "1", "很好", "--on", "2012-04-05").exit_code == 1
    rows = _json(run("cadre", "quarters", "--as-of", "2012-12-31", "--format", "json"))
    assert rows == [
        {
            "branch": "五夫村党总支",
            "person": "王伟",
            "quarters": {"1": None, "2": "优秀", "3": None, "4": None},
        }
    ]


def test_economy_plan_incomes_and_progress(seeded) -> None:  # type: ignore[no-untyped-def]
    run = seeded
    plan = (
        "economy",
        "plan",
        "五夫村",
        "--base-year",
        "2011",
        "--base-income",
        "80",
        "--target-year",
        "2016",
    )
    assert run(*plan, "--target-income", "150", "--on", "2012-05-15").exit_code == 0
    assert run(*plan, "--target-income", "70", "--on", "2012-05-15").exit_code == 1  # no increase
    bad_years = (
        "economy",
        "plan",
        "五夫村",
        "--base-year",
        "2011",
        "--base-income",
        "80",
        "--target-year",
        "2010",
    )
    assert run(*bad_years, "--target-income", "150", "--on", "2012-05-15").exit_code == 1
    assert run("economy", "plan", "耀华", "--base-year", "2011", "--base-income", "1", "--target-year", "2016",
               "--target-income", "2", "--on", "2012-05-15").exit_code == 1  # fmt: skip
    assert run("economy", "income", "五夫村", "2012", "96.5", "--on", "2012-12-20").exit_code == 0
    assert run("economy", "income", "五夫村", "2013", "99", "--on", "2012-12-20").exit_code == 1
    assert run("economy", "income", "五夫村", "2012", "-1", "--on", "2012-12-20").exit_code != 0
    rows = {
        r["branch"][:3]: r for r in _json(run("economy", "show", "--as-of", "2012-12-31", "--format", "json"))
    }
    assert len(rows) == 16
    assert rows["五夫村"]["progress"] == round(16.5 / 70, 4) and rows["五夫村"]["incomes"] == {"2012": 96.5}
    early = {
        r["branch"][:3]: r for r in _json(run("economy", "show", "--as-of", "2012-05-01", "--format", "json"))
    }
    assert early["五夫村"]["base_year"] is None and early["五夫村"]["progress"] is None


def test_pairs_and_their_activities(seeded) -> None:  # type: ignore[no-untyped-def]
    run = seeded
    firm = "浙江耀华高翔管桩有限公司"
    assert run("economy", "pair", "五夫村", "百企联百村", firm, "--on", "2012-05-20").exit_code == 0
    assert run("economy", "pair", "杨溪村", "部门结对", "市农业局", "--on", "2012-05-21").exit_code == 0
    assert run("economy", "pair", "五夫村", "友好", "某单位", "--on", "2012-05-20").exit_code == 1
    assert run("economy", "activity", "五夫村", firm, "捐建路灯", "--on", "2012-07-10").exit_code == 0
    assert (
        run("economy", "activity", "五夫村", firm, "座谈", "--on", "2012-05-01").exit_code == 1
    )  # before the pair
    assert run("economy", "activity", "五夫村", "某局", "x", "--on", "2012-07-10").exit_code == 1
    rows = _json(run("economy", "pairs", "--as-of", "2012-12-31", "--format", "json"))
    assert [(r["branch"][:3], r["kind"], r["partner"], r["activities"]) for r in rows] == [
        ("五夫村", "百企联百村", firm, ["2012-07-10 捐建路灯"]),
        ("杨溪村", "部门结对", "市农业局", []),
    ]


def test_group_members_and_roles(seeded) -> None:  # type: ignore[no-untyped-def]
    run = seeded
    assert run("group", "set", "领导小组", "章伟青", "--role", "组长", "--on", "2012-04-25").exit_code == 0
    near = run("group", "set", "督导检查组", "章伟清", "--role", "成员", "--on", "2012-04-25")
    assert near.exit_code == 0 and "章伟青" in near.stderr
    fix = run("group", "set", "领导小组", "章伟青", "--role", "副组长", "--on", "2012-04-26")
    assert fix.exit_code == 0 and "原为 组长" in fix.stderr
    assert run("group", "set", "委员会", "王某", "--role", "成员", "--on", "2012-04-25").exit_code == 1
    assert run("group", "set", "办公室", "王某", "--role", " ", "--on", "2012-04-25").exit_code == 1
    rows = _json(run("group", "list", "--as-of", "2012-12-31", "--format", "json"))
    assert [(r["body"], r["name"], r["role"]) for r in rows] == [
        ("领导小组", "章伟青", "副组长"),
        ("督导检查组", "章伟清", "成员"),
    ]
