"""Persistence models: the source of the database schema.

Every ``*Record`` class lives in a module of this package and derives from :class:`Base`. ``atlas.hcl`` runs
``atlas-provider-sqlalchemy`` over this folder, and the drift check compares what it prints with ``migrations/``.
Import a new module here so that ``Base.metadata`` sees its tables.
"""

from keel.infrastructure.database.models.base import Base

__all__ = ["Base"]
