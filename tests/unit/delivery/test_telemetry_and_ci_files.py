"""The telemetry configuration parses and names keel's metrics; the CI workflow is a valid GitHub workflow with the
jobs it promises; the pre-commit configuration runs the gates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
METRICS = (
    "keel_http_requests_total",
    "keel_http_request_duration_seconds",
    "keel_db_pool_",
    "keel_cache_",
    "keel_outbox_lag_seconds",
    "keel_workflow_",
    "keel_rate_limit_rejections_total",
)


def _yaml(path: str) -> Any:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def test_the_grafana_dashboard_charts_every_metric_from_the_provisioned_data_source() -> None:
    dashboard = json.loads((ROOT / "docker/grafana/dashboards/keel.json").read_text(encoding="utf-8"))
    datasource = _yaml("docker/grafana/provisioning/datasources/prometheus.yaml")["datasources"][0]
    expressions = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel["targets"])
    for metric in METRICS:
        assert metric in expressions, metric
    assert {panel["datasource"]["uid"] for panel in dashboard["panels"]} == {datasource["uid"]}
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    provider = _yaml("docker/grafana/provisioning/dashboards/keel.yaml")["providers"][0]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"


def test_prometheus_scrapes_the_api_and_the_collector_exports_to_jaeger() -> None:
    prometheus = _yaml("docker/telemetry/prometheus.yml")
    targets = {
        target for job in prometheus["scrape_configs"] for group in job["static_configs"] for target in group["targets"]
    }
    assert "api:8000" in targets
    collector = _yaml("docker/telemetry/otel-collector.yaml")
    traces = collector["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    assert collector["exporters"][traces["exporters"][0]]["endpoint"] == "jaeger:4317"
    assert "health_check" in collector["service"]["extensions"]


def test_the_ci_workflow_is_valid_and_runs_every_gate() -> None:
    path = ROOT / ".github/workflows/ci.yml"
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    jobs = yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]
    commands = {name: " ".join(str(step.get("run", "")) for step in job["steps"]) for name, job in jobs.items()}
    for gate in ("ruff check", "ruff format --check", "mypy", "lint-imports"):
        assert gate in commands["lint"], gate
    assert "pytest" in commands["test"]
    assert set(jobs["test"]["services"]) == {"postgres", "redis"}
    assert "pip-audit" in commands["audit"]
    build = [step for step in jobs["image"]["steps"] if "build-push-action" in step.get("uses", "")]
    assert build[0]["with"]["file"] == "docker/Dockerfile"


def test_pre_commit_runs_the_linters_and_the_file_checks() -> None:
    config = _yaml(".pre-commit-config.yaml")
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy", "import-linter", "end-of-file", "large-files"} <= hooks
