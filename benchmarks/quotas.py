"""The rate limits keel runs with in the benchmark: every class counted, none ever binding.

keel counts each request against its route class's quota (one Redis round trip); the benchmark measures that cost,
not refusals. So every class gets a limit no run can reach, and the floor counts its users requests the same way.
"""

from __future__ import annotations

from typing import Final

READ_QUOTA: Final = "1000000/1s"
"""``KEEL_RATE_LIMIT__READ``: far above any request rate the benchmark reaches; the floor uses it too."""
NEVER_BINDING: Final = "1000000/1s"

KEEL_RATE_LIMITS: Final = {
    "KEEL_RATE_LIMIT__READ": READ_QUOTA,
    "KEEL_RATE_LIMIT__WRITE": NEVER_BINDING,  # seeding and timed creates
    "KEEL_RATE_LIMIT__LOGIN": NEVER_BINDING,
    "KEEL_RATE_LIMIT__SIGNUP": NEVER_BINDING,
}
