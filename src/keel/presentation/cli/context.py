"""What every command needs before it runs: validated settings, or a readable one-message exit."""

from __future__ import annotations

import sys
from functools import cache

from keel.settings import Settings, SettingsError, load_settings

EXIT_INVALID_SETTINGS = 2


@cache
def cli_settings() -> Settings:
    """Settings for this command run. Invalid settings print one message naming each variable and exit 2."""
    try:
        return load_settings()
    except SettingsError as error:
        print(f"keel: {error}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID_SETTINGS) from None
