"""Typed domain errors.

Domain code raises these and never prints; the CLI renders each one once, as a single
Chinese sentence on stderr with exit code 1. Keeping the message on the exception means
every front end (CLI, tests, a future web view) shows the same words.
"""


class JcnianError(Exception):
    """Base of every error a user is meant to read."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LedgerNotFound(JcnianError):
    """The ledger file does not exist (and the command does not create one)."""


class SchemaError(JcnianError):
    """The ledger's schema version is newer than this program understands."""


class NotFound(JcnianError):
    """A name (branch, person, …) matched nothing."""


class Ambiguous(JcnianError):
    """A partial name matched more than one record."""


class CampaignNotChosen(JcnianError):
    """The ledger holds several campaigns and the command named none (``--campaign``)."""


class Conflict(JcnianError):
    """The change would duplicate or contradict what the ledger holds."""


class InvalidInput(JcnianError):
    """A value or a file failed validation; the message names file, row and field."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class GateError(JcnianError):
    """A step was taken out of order; ``--override REASON`` lets the committee proceed."""


class LedgerFault(JcnianError):
    """The ledger's storage refused the command (busy, full, read-only, damaged); nothing was
    changed: the command's transaction was rolled back whole."""


class LedgerBusy(LedgerFault):
    """Another program held the ledger's write lock for longer than the busy timeout."""


class DiskFull(LedgerFault):
    """The disk (or the database's size limit) has no room for what the command writes."""


class ReadOnlyLedger(LedgerFault):
    """The ledger file, its folder or one of SQLite's side files cannot be written."""


class CorruptLedger(LedgerFault):
    """The ledger file is damaged: SQLite's integrity check fails or a page cannot be read."""
