"""keel's own processes in the stack: migrations (a task), the worker and the API (services), pointed at the stack's
services.

They run as ``python -m keel ...`` subprocesses with the variables of :meth:`StackPlan.app_environment`, so they see
exactly what a deployment would give them.
"""

from __future__ import annotations

import os
import sys

from keel.devstack.plan import StackPlan
from keel.devstack.ports import PortClaim
from keel.devstack.probes import http_ok
from keel.devstack.service import ServiceDefinition, TaskDefinition
from keel.devstack.state import StateLayout

READINESS_PATH = "/health/ready"


def app_environment(plan: StackPlan) -> dict[str, str]:
    return {**os.environ, **plan.app_environment(), "PYTHONUNBUFFERED": "1"}


def migrations_task(plan: StackPlan) -> TaskDefinition:
    return TaskDefinition(
        name="migrations",
        command=(sys.executable, "-m", "keel", "db", "upgrade"),
        env=app_environment(plan),
    )


def worker_service(plan: StackPlan, layout: StateLayout) -> ServiceDefinition:
    """``keel worker``: the outbox relay and the Temporal workers; ready once it polls Temporal (its ready file)."""
    ready_file = layout.run / "worker.ready"
    return ServiceDefinition(
        name="worker",
        command=(sys.executable, "-m", "keel", "worker", "--ready-file", str(ready_file)),
        probe=ready_file.exists,
        prepare=lambda: ready_file.unlink(missing_ok=True),
        env=app_environment(plan),
        ready_timeout=60.0,
        stop_timeout=40.0,  # the worker's shutdown grace (30 s by default) plus closing
    )


def api_service(plan: StackPlan) -> ServiceDefinition:
    env = app_environment(plan) | {"KEEL_API__HOST": plan.api_host, "KEEL_API__PORT": str(plan.api_port)}
    return ServiceDefinition(
        name="api",
        command=(sys.executable, "-m", "keel", "serve"),
        probe=lambda: http_ok(plan.api_probe_host, plan.api_port, READINESS_PATH),
        ports=(PortClaim("api", plan.api_host, plan.api_port, "KEEL_API__PORT"),),
        env=env,
        ready_timeout=60.0,
        stop_timeout=20.0,
    )
