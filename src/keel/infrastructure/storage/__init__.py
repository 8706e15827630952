"""File storage adapters of the ``FileStorage`` port: a local directory (an S3-compatible one would sit beside it)."""

from keel.infrastructure.storage.local import InvalidFileKey, LocalFileStorage

__all__ = ["InvalidFileKey", "LocalFileStorage"]
