"""Shared fixtures: every test gets its own ledger, an SQLite file inside pytest's tmp_path
and, where a PostgreSQL server can be started (tests/pgcluster.py), a fresh PostgreSQL database.

A test that asks for ``db`` (or ``run``, ``seeded``…) runs once per backend: ``[sqlite]``
and ``[postgresql]``. ``--backend sqlite|postgresql|all`` (or ``$JCNIAN_TEST_BACKEND``)
chooses; without a server the PostgreSQL runs skip, saying why. A test about SQLite itself
(raw sqlite3, file permissions, WAL files, a full disk) carries ``@pytest.mark.sqlite_only``.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner

from jcnian.cli import app

Run = Callable[..., object]
BACKENDS = ("sqlite", "postgresql")
BACKEND_ENV = "JCNIAN_TEST_BACKEND"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=("all", *BACKENDS),
        default=None,
        help=f"the ledger backends the ledger tests run on (default all; also ${BACKEND_ENV})",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): about SQLite itself (files, raw sqlite3, WAL); runs on SQLite only"
    )


def chosen_backends(config: pytest.Config) -> list[str]:
    value = config.getoption("--backend") or os.environ.get(BACKEND_ENV) or "all"
    if value not in ("all", *BACKENDS):
        raise pytest.UsageError(f"${BACKEND_ENV}={value}: expected one of all, {', '.join(BACKENDS)}")
    return list(BACKENDS) if value == "all" else [value]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test whose fixtures reach ``backend`` runs on each chosen backend."""
    if "backend" not in metafunc.fixturenames:
        return
    chosen = chosen_backends(metafunc.config)
    if metafunc.definition.get_closest_marker("sqlite_only"):
        chosen = [b for b in chosen if b == "sqlite"]
    metafunc.parametrize("backend", chosen, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """One throw-away PostgreSQL cluster for the session, stopped and deleted at its end."""
    import pgcluster

    why = pgcluster.available()
    if why is not None:
        pytest.skip(f"no PostgreSQL: {why}")
    cluster = pgcluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No test reads the developer's $JCNIAN_DB or writes into the working folder."""
    monkeypatch.delenv("JCNIAN_DB", raising=False)
    monkeypatch.delenv("JCNIAN_CAMPAIGN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def db(backend: str, tmp_path, request: pytest.FixtureRequest) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The test's ledger: a file path (SQLite) or the URL of a new, empty PostgreSQL database."""
    if backend == "sqlite":
        yield str(tmp_path / "ledger.db")
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.new_database()
    yield cluster.url(name)
    cluster.drop(name)


@pytest.fixture(scope="session")
def templates(tmp_path_factory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``templates(name, backend, build)``: a ledger built once per session and backend by
    ``build(target)``; a test copies it (``ledgerkit.copy_ledger``) instead of building its own."""
    made: dict[tuple[str, str], str] = {}

    def template(name: str, backend: str, build: Callable[[str], None]) -> str:
        if (name, backend) not in made:
            if backend == "sqlite":
                target = str(tmp_path_factory.mktemp("template") / f"{name}.db")
            else:
                cluster = request.getfixturevalue("pg_cluster")
                cluster.execute(f'CREATE DATABASE "tpl_{name}"')
                target = cluster.url(f"tpl_{name}")
            build(target)
            made[(name, backend)] = target
        return made[(name, backend)]

    return template


@pytest.fixture
def run(db: str):  # type: ignore[no-untyped-def]
    """Invoke ``jcnian --db <tmp ledger> ARGS…``; the result has stdout, stderr, exit_code."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--db", db, *args], input=input)

    return _run


@pytest.fixture
def seeded_template(backend: str, templates) -> str:  # type: ignore[no-untyped-def]
    """`jcnian init` once per test session and backend; each test that needs it gets a copy."""

    def build(target: str) -> None:
        result = CliRunner().invoke(app, ["--db", target, "init"])
        assert result.exit_code == 0, result.stderr

    return str(templates("seeded", backend, build))


@pytest.fixture
def proposed_template(backend: str, seeded_template: str, templates) -> str:  # type: ignore[no-untyped-def]
    """Every branch scored within the quota (ledgerkit.within_quota) and its proposal computed."""
    from datetime import date

    from ledgerkit import copy_ledger, fill, session_of, within_quota

    from jcnian.gradebook import steps as grade_steps

    def build(target: str) -> None:
        copy_ledger(seeded_template, target)
        fill(target, within_quota())
        with session_of(target) as session:
            grade_steps.compute(session, date(2012, 4, 20))

    return str(templates("proposed", backend, build))


@pytest.fixture
def seeded(run, db: str, seeded_template):  # type: ignore[no-untyped-def]
    """A ledger initialised from the seed's liaison table (驿亭镇, 2012, 32 branches)."""
    from ledgerkit import copy_ledger

    copy_ledger(seeded_template, db)
    return run


@pytest.fixture
def to_pdf(tmp_path):  # type: ignore[no-untyped-def]
    """Convert a workbook with headless LibreOffice; skip the test where it is not installed."""
    import shutil
    import subprocess

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (no libreoffice/soffice on PATH)")

    def convert(workbook):  # type: ignore[no-untyped-def]
        outdir = tmp_path / "pdf"
        done = subprocess.run(
            [
                office,
                f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(workbook),
            ],
            capture_output=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return outdir / (workbook.stem + ".pdf")

    return convert


@pytest.fixture(scope="session")
def demo_ledger(tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """A ledger through all four phases (``jcnian demo``), played once per test session; for
    tests that only read it."""
    path = str(tmp_path_factory.mktemp("demo-ledger") / "demo.db")
    result = CliRunner().invoke(app, ["--db", path, "demo"])
    assert result.exit_code == 0, result.stderr
    return path
