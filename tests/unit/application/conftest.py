"""Fixtures of the use-case tests."""

from __future__ import annotations

import pytest

from fakes.world import World


@pytest.fixture
def world() -> World:
    return World()
