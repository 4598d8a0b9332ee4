"""jcnian (基层年): the ledger of a town's 基层组织建设年 campaign."""

__version__ = "0.1.0"
