"""``python -m keel`` runs the command line, like the ``keel`` console script."""

from keel.presentation.cli.main import run

run()
