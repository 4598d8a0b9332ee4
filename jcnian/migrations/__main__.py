"""For developers: ``python -m jcnian.migrations new "what changes"`` writes the revision of
``models.SCHEMA_VERSION`` (bump it first) from ``script.py.mako``, revising the newest one."""

import sys

from jcnian import migrations


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "new":
        sys.stderr.write('usage: python -m jcnian.migrations new "what changes"\n')
        return 2
    from alembic import command

    if migrations.HEAD in migrations.heads():
        sys.stderr.write(f"{migrations.HEAD} exists already: bump models.SCHEMA_VERSION first\n")
        return 1
    script = command.revision(migrations.config(), message=argv[1], rev_id=migrations.HEAD)
    sys.stdout.write(f"{getattr(script, 'path', script)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
