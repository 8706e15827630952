"""Values the security tests share with their fixtures."""

from __future__ import annotations

from uuid import UUID

SESSION = UUID("01900000-0000-7000-8000-000000000001")
"""The session (refresh-token family) test tokens are issued in."""
