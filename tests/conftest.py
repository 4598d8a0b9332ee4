"""Shared fixtures: every test gets its own ledger file inside pytest's tmp_path."""

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from jcnian.cli import app

Run = Callable[..., object]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No test reads the developer's $JCNIAN_DB or writes into the working folder."""
    monkeypatch.delenv("JCNIAN_DB", raising=False)
    monkeypatch.delenv("JCNIAN_CAMPAIGN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def db(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return str(tmp_path / "ledger.db")


@pytest.fixture
def run(db: str):  # type: ignore[no-untyped-def]
    """Invoke ``jcnian --db <tmp ledger> ARGS…``; the result has stdout, stderr, exit_code."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--db", db, *args], input=input)

    return _run


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):  # type: ignore[no-untyped-def]
    """`jcnian init` once per test session; each test that needs it gets a copy."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    result = CliRunner().invoke(app, ["--db", str(path), "init"])
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture(scope="session")
def proposed_template(seeded_template, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Every branch scored within the quota (ledgerkit.within_quota) and its proposal computed."""
    from datetime import date

    from ledgerkit import copy_ledger, fill, session_of, within_quota

    from jcnian.gradebook import steps as grade_steps

    path = tmp_path_factory.mktemp("template") / "proposed.db"
    copy_ledger(seeded_template, path)
    fill(str(path), within_quota())
    with session_of(str(path)) as session:
        grade_steps.compute(session, date(2012, 4, 20))
    return path


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
