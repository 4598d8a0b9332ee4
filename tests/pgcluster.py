"""A throw-away PostgreSQL cluster for the tests: made in a temporary folder, gone afterwards.

The server binaries are found through ``pg_config --bindir`` or Debian's
``/usr/lib/postgresql/<version>/bin``. PostgreSQL refuses to run as root, so under root the
cluster belongs to the ``postgres`` user Debian's package creates (``runuser``/``su``); the
server listens on 127.0.0.1 on a free port and on a socket in its own folder, trusts the
superuser and asks every other role for its password (so the tests can try a wrong one).
``fsync`` is off: a crash loses nothing a test needs.

``available()`` says why there is no cluster (``None`` when there can be one); the tests
skip with that reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "postgres"
NEEDED = ("initdb", "pg_ctl", "postgres")


def _bindir() -> Path | None:
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip():
            candidates.append(Path(done.stdout.strip()))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2] or 0))
    candidates += [Path(p) for p in reversed(versions)]
    for bindir in candidates:
        if all((bindir / name).is_file() for name in NEEDED):
            return bindir
    return None


def _runner() -> tuple[list[str] | None, str | None]:
    """How to run the server's programs: as we are, or (under root) as ``postgres``."""
    if os.geteuid() != 0:
        return [], None
    try:
        import pwd

        pwd.getpwnam(SUPERUSER)
    except KeyError:
        return None, "running as root and there is no 'postgres' user to run PostgreSQL as"
    if shutil.which("runuser"):
        return ["runuser", "-u", SUPERUSER, "--"], None
    if shutil.which("su"):
        return ["su", SUPERUSER, "-s", "/bin/sh", "-c"], None
    return None, "running as root and neither runuser nor su is available"


def available() -> str | None:
    """None when a cluster can be started here, else the reason it cannot."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'jcnian[postgres]')"
    if _bindir() is None:
        return "PostgreSQL server binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin)"
    return _runner()[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster; ``url(name)`` is the SQLAlchemy URL of one of its databases."""

    folder: Path
    port: int
    bindir: Path
    prefix: list[str]
    _made: int = field(default=0)

    def url(self, database: str, user: str = SUPERUSER, password: str | None = None) -> str:
        secret = f":{password}" if password is not None else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self.prefix[-1:] == ["-c"]:  # su: one shell command line
            import shlex

            command = [*self.prefix, " ".join(shlex.quote(a) for a in command)]
        else:
            command = [*self.prefix, *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.folder)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}")

    def execute(self, *statements: str) -> None:
        """Statements run by the superuser on the maintenance database, outside a transaction."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def new_database(self, template: str | None = None) -> str:
        """A new database's name: empty, or a copy of ``template`` (fast: a file copy)."""
        self._made += 1
        name = f"t{os.getpid()}_{self._made}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self, *, quiet: bool = False) -> None:
        try:
            if (self.folder / "data" / "postmaster.pid").exists():
                self._run(self.bindir / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "-w", "stop")
        except RuntimeError:
            if not quiet:
                raise
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


OWNER = "owner.pid"  # the pid of the test session that made the cluster


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_orphans(bindir: Path, prefix: list[str]) -> None:
    """Stop and delete the clusters of test sessions that were killed before their end."""
    for folder in Path(tempfile.gettempdir()).glob("jcnian-pg-*"):
        try:
            owner = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            Cluster(folder=folder, port=0, bindir=bindir, prefix=prefix).stop(quiet=True)


def start() -> Cluster:
    """initdb in a new temporary folder and start the server; the caller stops it."""
    bindir = _bindir()
    prefix, why = _runner()
    if bindir is None or prefix is None:
        raise RuntimeError(why or "no PostgreSQL server binaries")
    _stop_orphans(bindir, prefix)
    folder = Path(tempfile.mkdtemp(prefix="jcnian-pg-"))
    (folder / OWNER).write_text(str(os.getpid()))
    if prefix:
        import pwd

        entry = pwd.getpwnam(SUPERUSER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(folder=folder, port=_free_port(), bindir=bindir, prefix=prefix)
    try:
        cluster._run(
            bindir / "initdb",
            "-D",
            folder / "data",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
        )
        hba = folder / "data" / "pg_hba.conf"
        rules = f"host all {SUPERUSER} 127.0.0.1/32 trust\n"
        # Written by whoever owns it: the superuser line first, so it trusts only postgres.
        cluster._run("sh", "-c", f"printf '%s' '{rules}' | cat - {hba} > {hba}.new && mv {hba}.new {hba}")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={cluster.port} -c unix_socket_directories={folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            "-c shared_buffers=64MB"
        )
        cluster._run(
            bindir / "pg_ctl",
            "-D",
            folder / "data",
            "-l",
            folder / "server.log",
            "-o",
            options,
            "-w",
            "start",
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


def copy_database(source: str, target: str) -> None:
    """Make the database of URL ``target`` a copy of that of ``source`` (same cluster):
    ``CREATE DATABASE … TEMPLATE``, a file copy, as fast as copying an SQLite file."""
    import psycopg
    from sqlalchemy.engine import make_url

    src, dst = make_url(source), make_url(target)
    with psycopg.connect(
        host=dst.host, port=dst.port, user=dst.username, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dst.database}" WITH (FORCE)')  # type: ignore[arg-type]
        conn.execute(f'CREATE DATABASE "{dst.database}" TEMPLATE "{src.database}"')  # type: ignore[arg-type]
