"""docker-compose.yml: valid against the Compose Specification's JSON schema (check-jsonschema's vendored copy), a
healthcheck on every long-running service, and `app` services that wait for healthy `infra` ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker-compose.yml"


def _validate(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    found: dict[str, Any] = document["services"]
    return found


def test_the_file_follows_the_compose_specification() -> None:
    result = _validate(COMPOSE, "vendor.compose-spec")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_an_invalid_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yml"
    broken.write_text("services:\n  api:\n    image: keel\n    healthcheck:\n      interval: [10s]\n", encoding="utf-8")
    assert _validate(broken, "vendor.compose-spec").returncode != 0


def test_the_profiles_hold_the_expected_services(services: dict[str, Any]) -> None:
    def members(profile: str) -> set[str]:
        return {name for name, service in services.items() if profile in service.get("profiles", [])}

    assert members("infra") == {"postgres", "redis", "temporal", "mailpit"}
    assert members("app") == {"postgres", "redis", "temporal", "mailpit", "migrate", "worker", "api"}
    assert members("telemetry") == {"otel-collector", "jaeger", "prometheus", "grafana"}


def test_every_service_has_a_healthcheck_or_is_a_one_shot_job(services: dict[str, Any]) -> None:
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check is not None, f"{name} has no healthcheck"
        if check.get("disable"):
            assert service.get("restart") == "no", f"{name}: only one-shot jobs may go without a healthcheck"
        else:
            assert check["test"][0] in {"CMD", "CMD-SHELL"}, name


def test_app_services_wait_for_healthy_infra_and_for_the_migration(services: dict[str, Any]) -> None:
    infra = {name for name, service in services.items() if "infra" in service.get("profiles", [])}
    for name in ("api", "worker", "migrate"):
        depends = services[name]["depends_on"]
        assert "postgres" in depends, name
        for dependency, condition in depends.items():
            expected = "service_healthy" if dependency in infra else "service_completed_successfully"
            assert condition["condition"] == expected, (name, dependency)
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["build"]["dockerfile"] == "docker/Dockerfile"


def test_mounted_configuration_files_exist(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which does not exist"
        build = service.get("build")
        if build:
            assert (ROOT / build["context"] / build["dockerfile"]).exists() or (ROOT / build["dockerfile"]).exists()
