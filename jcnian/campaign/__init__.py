"""The three other phases in the ledger (动员部署, 深入实施, 总结验收) and the daily dashboard.

- ``tables``        the phase tables and the dated rules
- ``dates``         the campaign's windows and dated rules as stored (defaults from ``jcnian.phases``)
- ``recording``     idempotent recording (``Saved``, ``upsert``) and gates with ``--override``
- ``mobilisation``  meetings, survey methods, the problem ledger
- ``plans``         goals, measures, plans, public pledges
- ``projects``      projects, tasks, progress, monthly assessment, supervision
- ``requirements``  visits, monthly reports, rules, publicity, enterprise coverage
- ``activities``    三 and 四 beyond the phases (tables in ``activities_tables``): 一句话承诺,
                    闪光言行, 五个一, 轮训, 书记 and 调整, the town's 动员大会
- ``slogans``       附件2's slogan catalogue and which branch uses which
- ``pledge_import`` the 一句话承诺 list from a CSV file (an edge: all rows checked, then recorded)
- ``acceptance``    acceptance steps, decisions, rectification, the acceptance report
- ``facts``         the facts pass: every branch's facts read once
- ``dashboard``     status, overdue, lagging as of a day

The pure rules (windows, checklists, when a project lags) are ``jcnian.phases``,
``jcnian.checklist`` and ``jcnian.project_rules``. Nothing is re-exported here.
"""
