"""The files shipped in ``data/``: where they are, the default rubric's text, 附件2's slogans.

The one place the package reads its own data files, so that domain code (the gradebook's
rubric in force, the seed) is handed text or a path instead of opening files itself.
"""

from pathlib import Path


def data_dir() -> Path:
    """``data/`` inside an installed wheel, or beside the package in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "data"
    return installed if installed.is_dir() else here.parent / "data"


def default_rubric_text() -> str:
    """The shipped rubric (data/rubric.toml), stored in a ledger the first time it is graded."""
    return (data_dir() / "rubric.toml").read_text(encoding="utf-8")


def slogans_text() -> str:
    """附件2's 20 slogans (data/slogans.txt), one a line, in the seed's words."""
    return (data_dir() / "slogans.txt").read_text(encoding="utf-8")
