"""Allow ``python -m jcnian``."""

from jcnian.cli import main

main()
