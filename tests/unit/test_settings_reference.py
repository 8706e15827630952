"""The settings reference and .env.example are generated from the Settings model and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from keel.presentation.cli.settings import entries, env_example, reference_markdown
from keel.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_docs_reference_is_current() -> None:
    committed = (REPO_ROOT / "docs/reference/settings.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), "run: uv run keel settings reference --output docs/reference/settings.md"


def test_env_example_is_current() -> None:
    committed = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    assert committed == env_example(), "run: uv run keel settings env-example --output .env.example"


def test_every_field_of_every_section_is_listed_once() -> None:
    variables = [entry.variable for entry in entries()]
    assert len(variables) == len(set(variables))
    expected = 0
    for field in Settings.model_fields.values():
        annotation = field.annotation
        model_fields = getattr(annotation, "model_fields", None)
        expected += len(model_fields) if model_fields else 1
    assert len(variables) == expected
    assert all(entry.description for entry in entries()), "every setting needs a description"


def test_the_env_example_round_trips_through_the_settings_model(tmp_path: Path) -> None:
    """Uncommenting every line of .env.example gives the defaults back: the template is valid and true."""
    uncommented = "\n".join(
        line.removeprefix("# ")
        for line in env_example().splitlines()
        if line.startswith("# KEEL_") and not line.endswith("=")
    )
    env_file = tmp_path / ".env"
    env_file.write_text(uncommented + "\n", encoding="utf-8")
    assert Settings(_env_file=env_file) == Settings(_env_file=None)  # type: ignore[call-arg]


def test_show_prints_effective_values_with_secrets_masked(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "keel", "settings", "show"],
        env={"PATH": "/usr/bin:/bin", "KEEL_DATABASE__POOL_SIZE": "7", "KEEL_EMAIL__SMTP_PASSWORD": "hunter2"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "KEEL_DATABASE__POOL_SIZE=7" in lines
    assert "KEEL_EMAIL__SMTP_PASSWORD=**********" in lines
    assert "hunter2" not in result.stdout
    assert len(lines) == len(list(entries()))
