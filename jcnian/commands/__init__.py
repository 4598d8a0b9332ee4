"""Typer sub-apps, one module per area. Each imports only typer and the standard library
at module level, so ``jcnian --help`` never loads SQLAlchemy, pandas or openpyxl; domain
modules are imported inside the command bodies."""
