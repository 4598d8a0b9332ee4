"""The files shipped in ``data/``: where they are, and the default rubric's text.

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
