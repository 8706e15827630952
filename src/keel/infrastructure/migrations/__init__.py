"""Database migrations in Atlas's versioned format, applied and checked without the Atlas CLI (``keel db``).

See ``docs/adr/0002-atlas-migrations-without-the-cli.md``.
"""

from keel.infrastructure.migrations.errors import MigrationError
from keel.infrastructure.migrations.service import MigrationService

__all__ = ["MigrationError", "MigrationService"]
