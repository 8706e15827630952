"""The reference docs cover what exists: every setting, every CLI command, every problem code and its status."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from keel.presentation.cli.reference import cli_reference, command_names, keel_command
from keel.settings import Settings
from support.error_codes import problem_codes

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"


def test_the_cli_reference_is_current() -> None:
    committed = (REFERENCE / "cli.md").read_text(encoding="utf-8")
    assert committed == cli_reference(keel_command()), "run: uv run keel cli-reference --output docs/reference/cli.md"


def test_every_cli_command_is_in_the_reference() -> None:
    committed = (REFERENCE / "cli.md").read_text(encoding="utf-8")
    names = command_names(keel_command())
    assert {"keel db upgrade", "keel users create-owner", "keel openapi export", "keel worker"} <= set(names)
    missing = [name for name in names if f"## `{name}`" not in committed]
    assert missing == []


def test_every_setting_is_in_the_reference() -> None:
    committed = (REFERENCE / "settings.md").read_text(encoding="utf-8")
    variables: list[str] = []
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            variables += [f"KEEL_{name.upper()}__{sub.upper()}" for sub in section.model_fields]
        else:
            variables.append(f"KEEL_{name.upper()}")
    assert "KEEL_API__SHUTDOWN_DRAIN_DELAY_SECONDS" in variables
    missing = [variable for variable in variables if f"`{variable}`" not in committed]
    assert missing == []


def test_the_error_code_reference_lists_every_code_with_its_status() -> None:
    committed = (REFERENCE / "error-codes.md").read_text(encoding="utf-8")
    documented = {
        code: int(status) for code, status in re.findall(r"^\| `([a-z0-9_]+)` \| (\d{3}) \|", committed, re.MULTILINE)
    }
    assert documented == {code: int(status) for code, status in problem_codes().items()}
