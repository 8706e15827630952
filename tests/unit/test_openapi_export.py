"""``keel openapi export``: the whole document or one version's, to a file or standard output; bad input exits 1."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from keel.presentation.cli.main import app


def test_exports_one_version_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "v2.json"
    result = CliRunner().invoke(app, ["openapi", "export", "--api-version", "v2", "--output", str(target)])
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text(encoding="utf-8"))
    assert list(document["paths"]) == ["/api/v2/users"]
    assert document["info"]["version"] == "2"


def test_exports_the_whole_api_to_standard_output() -> None:
    result = CliRunner().invoke(app, ["openapi", "export"])
    assert result.exit_code == 0, result.output
    paths = json.loads(result.stdout)["paths"]
    assert "/api/v1/users" in paths
    assert "/api/v2/users" in paths
    assert "/health/ready" in paths


def test_an_unknown_version_or_an_unwritable_output_is_one_line_and_exit_1(tmp_path: Path) -> None:
    unknown = CliRunner().invoke(app, ["openapi", "export", "--api-version", "v9"])
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "keel openapi export: unknown API version 'v9'; choose one of: all, v1, v2"
    nowhere = CliRunner().invoke(app, ["openapi", "export", "--output", str(tmp_path / "missing" / "x.json")])
    assert nowhere.exit_code == 1
    assert nowhere.stderr.count("\n") == 1
    assert "give a file in an existing directory" in nowhere.stderr
