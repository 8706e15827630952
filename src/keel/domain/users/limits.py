"""Named limits of the users feature. Settings may lower the batch size; these are the domain's ceilings."""

from __future__ import annotations

from typing import Final

MAX_PAGE_SIZE: Final = 100
DEFAULT_PAGE_SIZE: Final = 20
MAX_BATCH_SIZE: Final = 100
"""Most users one request to the API may create."""
MAX_IMPORT_CHUNK_SIZE: Final = 5000
"""Most users one chunk of an import may create: imported users have no password to hash, and a chunk's rows are
stored with a few set-based statements, so a chunk costs little more than its rows' bytes."""

MIN_PASSWORD_LENGTH: Final = 12
# Hashing cost grows with the input; a ceiling keeps a huge "password" from being a denial of service.
MAX_PASSWORD_LENGTH: Final = 1024

MAX_FULL_NAME_LENGTH: Final = 200
MAX_EMAIL_LENGTH: Final = 254
