"""Who runs the command and what they typed: the change log's "who" and "what".

Set by the CLI before the command runs (``--by`` and the command line) and read when a write
is logged (``jcnian.changelog``). Kept apart from the log's capture so that every command,
``--help`` included, can set them without loading the capture code.
"""

import os
import shlex
import sys
from collections.abc import Iterable

USER_ENV = "JCNIAN_USER"

# Set by the CLI for the command it runs (``jcnian.cli``).
_actor: str | None = None
_command: str | None = None


def set_actor(name: str | None) -> None:
    global _actor
    _actor = name.strip() if name and name.strip() else None


def set_command(argv: Iterable[str] | None) -> None:
    global _command
    _command = None if argv is None else command_line(argv)


def actor() -> str:
    """``--by``, else ``$JCNIAN_USER``, else the OS user."""
    if _actor:
        return _actor
    env = os.environ.get(USER_ENV, "").strip()
    if env:
        return env
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name (a container without one)
        return "unknown"


def command_line(argv: Iterable[str]) -> str:
    """The command as typed, with secrets removed (a database URL's password)."""
    from jcnian.inert import redact

    return " ".join(["jcnian", *(shlex.quote(redact(a)) for a in argv)])


def current_command() -> str:
    return _command if _command is not None else command_line(sys.argv[1:])
