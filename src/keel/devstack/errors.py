"""The one error the local stack reports to the developer."""

from __future__ import annotations


class DevStackError(Exception):
    """The stack cannot start or keep running; ``str(error)`` is the message to show, naming the service at fault."""


class StopRequested(Exception):
    """SIGINT/SIGTERM arrived while the stack was starting."""
