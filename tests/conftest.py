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


@pytest.fixture
def seeded(run):  # type: ignore[no-untyped-def]
    """A ledger initialised from the seed's liaison table (驿亭镇, 2012, 32 branches)."""
    result = run("init")
    assert result.exit_code == 0, result.stderr
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
